import { ArrayMaxSize, IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ApplicationFilter, ApplicationSort } from '../../applications/dto/application.input';
import { ExportFormat } from '../entities/export-job.entity';

@InputType({ description: 'What to export: the list as filtered and sorted, or the selected rows (ids).' })
export class ApplicationExportInput {
  @Field(() => ExportFormat)
  format!: ExportFormat;

  @Field(() => ApplicationFilter, { nullable: true })
  @IsOptional()
  filter?: ApplicationFilter | null;

  @Field(() => [ApplicationSort], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  sort?: InstanceType<typeof ApplicationSort>[] | null;

  @Field(() => [ID], { nullable: true, description: 'Selected rows; still limited to those you may read.' })
  @IsOptional()
  @ArrayMaxSize(10_000)
  ids?: string[] | null;

  @Field(() => String, { nullable: true, description: 'PDF title (default "Başvurular").' })
  @IsOptional()
  @MaxLength(200)
  title?: string | null;
}
