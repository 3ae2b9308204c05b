import { registerSubjects } from '../api/ability';
import type { ModuleDefinition } from '../api/module';
import { identityModule } from './identity/identity.module';

/** Every business module, in dependency order. The only place that lists them. */
export const modules: ModuleDefinition[] = [identityModule];

registerSubjects(modules.flatMap((m) => m.subjects ?? []));

export const entities = modules.flatMap((m) => m.entities);
export const resolvers = modules.flatMap((m) => m.resolvers) as [Function, ...Function[]];
