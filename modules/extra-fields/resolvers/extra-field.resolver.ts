import { crudResolver } from '../../../api/crud';
import { extraFieldService } from '../services/extra-field.service';

export const ExtraFieldResolver = crudResolver(extraFieldService);
