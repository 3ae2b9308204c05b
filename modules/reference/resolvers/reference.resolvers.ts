import { crudResolver } from '../../../api/crud';
import { branchService, campaignService, contactChannelService, priorityService, projectService } from '../services/reference.services';

export const PriorityResolver = crudResolver(priorityService);
export const ContactChannelResolver = crudResolver(contactChannelService);
export const BranchResolver = crudResolver(branchService);
export const ProjectResolver = crudResolver(projectService);
export const CampaignResolver = crudResolver(campaignService);
