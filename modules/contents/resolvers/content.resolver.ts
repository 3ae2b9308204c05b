import { crudResolver } from '../../../api/crud';
import { contentService } from '../services/content.service';

export const ContentCrudResolver = crudResolver(contentService);
