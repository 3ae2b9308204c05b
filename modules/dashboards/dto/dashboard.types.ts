import { Max, Min } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ApplicationFilter } from '../../applications/dto/application.input';

export enum DashboardGranularity {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(DashboardGranularity, { name: 'DashboardGranularity', description: 'Period of the timeline: days, ISO weeks (from Monday) or months.' });

@InputType({ description: 'Which applications a dashboard counts: applied between two days (Istanbul time, both included), matching the list filter.' })
export class DashboardInput {
  @Field(() => LocalDateResolver)
  from!: string;

  @Field(() => LocalDateResolver, { description: 'The last day, included.' })
  to!: string;

  @Field(() => ApplicationFilter, { nullable: true, description: 'The application list filter. Assignee filters are answered from rollups; other filters count the applications themselves (slower).' })
  filter?: ApplicationFilter;

  @Field(() => DashboardGranularity, { defaultValue: DashboardGranularity.DAY })
  granularity: DashboardGranularity = DashboardGranularity.DAY;

  @Field(() => ID, { nullable: true, description: 'Drill-down: the category tree widgets list the children of this node (top level when absent).' })
  categoryParentId?: string;

  @Field(() => Int, { defaultValue: 10, description: 'Length of the top lists (1-100).' })
  @Min(1)
  @Max(100)
  top: number = 10;
}

@ObjectType({ description: 'A count for one key of a widget. id null: none (no project, unassigned...). label null: a record you may not read.' })
export class DashboardCount {
  @Field(() => ID, { nullable: true })
  id!: string | null;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'A node of the category tree with its applications (its whole subtree).' })
export class DashboardCategoryCount extends DashboardCount {
  @Field(() => Int, { nullable: true, description: '1 category, 2 subcategory, 3+ tree category.' })
  level!: number | null;

  @Field({ description: 'True when it has children to drill down to.' })
  hasChildren!: boolean;
}

@ObjectType({ description: 'Applications of an assignee or a team: open, closed, total.' })
export class DashboardWorkload {
  @Field(() => ID, { nullable: true, description: 'null: nobody (no user / no team).' })
  id!: string | null;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Int)
  open!: number;

  @Field(() => Int)
  closed!: number;

  @Field(() => Int)
  total!: number;
}

@ObjectType({ description: 'Minutes spent (time entries dated in the range) for one key.' })
export class DashboardMinutes {
  @Field(() => ID, { nullable: true })
  id!: string | null;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Int)
  minutes!: number;
}

@ObjectType({ description: 'One period of the timeline: applications opened (applied) and closed in it.' })
export class DashboardPeriod {
  @Field(() => LocalDateResolver, { description: 'First day of the period.' })
  start!: string;

  @Field(() => Int)
  opened!: number;

  @Field(() => Int)
  closed!: number;
}

@ObjectType({ description: 'Totals of the applications in question.' })
export class DashboardTotals {
  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  open!: number;

  @Field(() => Int)
  closed!: number;

  @Field(() => Float, { nullable: true, description: 'Mean hours from application to acceptance, over the accepted ones.' })
  averageHoursToAcceptance!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean hours from application to closing, over the closed ones.' })
  averageHoursToClose!: number | null;
}

@ObjectType({
  description:
    'The manager dashboard for a range of days. Every widget counts only applications the viewer may read; each is one SQL statement, computed only when selected.',
})
export class Dashboard {
  @Field(() => LocalDateResolver)
  from!: string;

  @Field(() => LocalDateResolver)
  to!: string;

  @Field({ description: 'True when answered from the rollups (no filter other than assignee ones).' })
  fromRollups!: boolean;

  input!: DashboardInput;
}

@ObjectType({ description: 'Something the dashboard counts changed: fetch it again.' })
export class DashboardChange {
  @Field(() => Date)
  at!: Date;

  @Field(() => Int, { description: 'How many application changes this notice covers.' })
  changes!: number;
}
