import { ArrayMaxSize, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { SortOf } from '../../../api/pagination';

@InputType({ description: 'Documents are created by uploading (POST /documents); these fields can change afterwards.' })
export class UpdateDocumentInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'must not be empty' })
  @MaxLength(255)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  folder?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @MaxLength(100, { each: true })
  tags?: string[];
}

@InputType()
export class DocumentFilter {
  @Field({ nullable: true, description: 'Name, file name or description contains (Turkish-aware).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field({ nullable: true, description: 'This folder and those below it.' })
  @IsOptional()
  @MaxLength(500)
  folder?: string;

  @Field({ nullable: true, description: 'Find copies of a file by its hash.' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be a SHA-256 in hex' })
  sha256?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(200)
  mimeType?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  uploadedById?: string;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export enum DocumentSortField {
  name = 'name',
  createdAt = 'createdAt',
  size = 'size',
}
registerEnumType(DocumentSortField, { name: 'DocumentSortField' });

export const DocumentSort = SortOf(DocumentSortField, 'DocumentSort');
export type DocumentSort = InstanceType<typeof DocumentSort>;
