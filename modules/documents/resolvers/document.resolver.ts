import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../api/context';
import { relation } from '../../../api/crud';
import { PageInput, PageOf } from '../../../api/pagination';
import { User } from '../../identity/entities/user.entity';
import { DocumentFilter, DocumentSort, UpdateDocumentInput } from '../dto/document.input';
import { Document } from '../entities/document.entity';
import { documentService } from '../services/document.service';

const DocumentPage = PageOf(Document, 'Document');

@Resolver(() => Document)
export class DocumentResolver {
  @Query(() => DocumentPage, { description: 'Documents you may read. Upload with POST /documents (multipart, field "file").' })
  documents(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => DocumentFilter, { nullable: true }) filter?: DocumentFilter,
    @Arg('sort', () => [DocumentSort], { nullable: true }) sort?: DocumentSort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    // With `info`, the total is counted only when it is asked for.
    return documentService.list(ctx, filter, sort, page, info);
  }

  @Query(() => Document)
  document(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return documentService.get(ctx, id);
  }

  @Mutation(() => Document)
  updateDocument(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateDocumentInput, @Ctx() ctx: Context) {
    return documentService.update(ctx, id, version, input);
  }

  @Mutation(() => Document)
  archiveDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return documentService.archive(ctx, id);
  }

  @FieldResolver(() => String, { description: 'GET it with your bearer token.' })
  downloadUrl(@Root() d: Document) {
    return `/documents/${d.id}/content`;
  }

  @FieldResolver(() => User, { nullable: true })
  uploadedBy(@Root() d: Document, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', d.uploadedBy);
  }
}
