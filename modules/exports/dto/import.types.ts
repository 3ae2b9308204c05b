import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One wrong cell of an import: which row, which column, what is wrong.' })
export class ImportProblem {
  @Field(() => Int, { description: 'The row number in the sheet (the header is row 1).' })
  row!: number;

  @Field({ description: 'The column title as in the template.' })
  column!: string;

  @Field({ description: 'The field it fills (name, taxNumber, extra.<key>...).' })
  field!: string;

  @Field()
  message!: string;
}

@ObjectType({ description: 'What an import found (validation) or did (applied).' })
export class ImportReport {
  @Field({ description: 'accounts or contacts.' })
  target!: string;

  @Field({ description: 'False: only checked, nothing written. True: the valid rows were written.' })
  applied!: boolean;

  @Field(() => Int)
  totalRows!: number;

  @Field(() => Int)
  validRows!: number;

  @Field(() => Int)
  invalidRows!: number;

  @Field(() => Int, { description: 'Valid rows that match no record (created when applied).' })
  created!: number;

  @Field(() => Int, { description: 'Valid rows matching a record (same tax number, e-mail or phone) with different values.' })
  updated!: number;

  @Field(() => Int, { description: 'Valid rows matching a record that already has these values.' })
  unchanged!: number;

  @Field(() => [ImportProblem], { description: 'At most 1000; see moreProblems.' })
  problems!: ImportProblem[];

  @Field(() => Int)
  moreProblems!: number;
}
