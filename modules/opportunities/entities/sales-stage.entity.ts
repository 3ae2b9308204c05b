import { Entity, Enum, Index, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';

export enum SalesStageOutcome {
  OPEN = 'OPEN',
  WON = 'WON',
  LOST = 'LOST',
}
registerEnumType(SalesStageOutcome, { name: 'SalesStageOutcome', description: 'OPEN: still in the pipeline; WON / LOST: closed (kazanıldı / kaybedildi).' });

@ObjectType({ description: 'A step of the sales pipeline (satış aşaması). WON and LOST stages close an opportunity.' })
@Entity({ tableName: 'sales_stages' })
export class SalesStage extends BaseEntity {
  @Field()
  @Property({ length: 200 })
  name!: string;

  @Field(() => Int, { description: 'Position in the pipeline (ascending).' })
  @Index()
  @Property({ type: 'integer', default: 0 })
  sortOrder: Opt<number> = 0;

  @Field(() => Int, { description: 'Default win probability (0-100) of opportunities entering this stage.' })
  @Property({ type: 'integer', default: 0 })
  probability: Opt<number> = 0;

  @Field(() => SalesStageOutcome)
  @Index()
  @Enum({ items: () => SalesStageOutcome, nativeEnumName: 'sales_stage_outcome', default: SalesStageOutcome.OPEN })
  outcome: Opt<SalesStageOutcome> = SalesStageOutcome.OPEN;

  @Field(() => String, { nullable: true })
  @Property({ length: 20, nullable: true })
  color?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Date, { nullable: true })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}
