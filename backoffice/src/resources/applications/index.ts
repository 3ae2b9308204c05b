import AssignmentIcon from '@mui/icons-material/Assignment';
import { ApplicationList } from './ApplicationList';
import { ApplicationShow } from './ApplicationShow';
import { ApplicationCreate } from './ApplicationCreate';
import { ApplicationEdit } from './ApplicationEdit';

export const applications = {
  name: 'applications',
  list: ApplicationList,
  show: ApplicationShow,
  create: ApplicationCreate,
  edit: ApplicationEdit,
  icon: AssignmentIcon,
  recordRepresentation: 'number',
};
