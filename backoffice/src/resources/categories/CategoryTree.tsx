import { Box, IconButton, List as MuiList, ListItem, ListItemText, Tooltip, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import EditIcon from '@mui/icons-material/Edit';
import { CreateButton, FilterButton, ListBase, Title, TopToolbar, useCreatePath, useListContext, useTranslate, BooleanInput, SearchInput, FilterForm } from 'react-admin';
import { Link } from 'react-router-dom';
import { trCollator } from '../../i18n';

function Tree() {
  const { data = [], isPending } = useListContext();
  const createPath = useCreatePath();
  const translate = useTranslate();
  if (isPending) return null;
  const ids = new Set(data.map((c: any) => String(c.id)));
  const children = (parent: string | null) =>
    data
      .filter((c: any) => (c.parent && ids.has(String(c.parent.id)) ? String(c.parent.id) : null) === parent)
      .sort((a: any, b: any) => a.sortOrder - b.sortOrder || trCollator.compare(a.name, b.name));
  const render = (parent: string | null, depth: number): React.ReactNode =>
    children(parent).map((c: any) => (
      <Box key={c.id} component="li" sx={{ listStyle: 'none' }}>
        <ListItem
          dense
          sx={{ pl: 2 + depth * 3, opacity: c.active ? 1 : 0.5 }}
          secondaryAction={
            <>
              <Tooltip title={translate('ra.action.create')}>
                <IconButton component={Link} to={createPath({ resource: 'categories', type: 'create' })} state={{ record: { parentId: c.id } }} aria-label={`${translate('ra.action.create')}: ${c.name}`}>
                  <AddIcon fontSize="small" />
                </IconButton>
              </Tooltip>
              <Tooltip title={translate('ra.action.edit')}>
                <IconButton component={Link} to={createPath({ resource: 'categories', id: c.id, type: 'edit' })} aria-label={`${translate('ra.action.edit')}: ${c.name}`}>
                  <EditIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            </>
          }
        >
          <ListItemText primary={c.name} slotProps={{ primary: { fontWeight: depth === 0 ? 600 : 400 } }} />
        </ListItem>
        <MuiList disablePadding component="ul" sx={{ p: 0 }}>
          {render(String(c.id), depth + 1)}
        </MuiList>
      </Box>
    ));
  if (!data.length) return <Typography sx={{ p: 2 }}>{translate('app.message.nothing')}</Typography>;
  return (
    <MuiList component="ul" aria-label={translate('resources.categories.name', { smart_count: 2 })}>
      {render(null, 0)}
    </MuiList>
  );
}

const filters = [<SearchInput key="q" source="q" alwaysOn />, <BooleanInput key="ia" source="includeArchived" />];

/** The category tree editor: every level at once, add a child or edit in place. */
export function CategoryTree() {
  const translate = useTranslate();
  return (
    <ListBase perPage={500} sort={{ field: 'sortOrder', order: 'ASC' }}>
      <Title title={translate('resources.categories.name', { smart_count: 2 })} />
      <TopToolbar sx={{ justifyContent: 'space-between' }}>
        <FilterForm filters={filters} />
        <Box>
          <FilterButton filters={filters} />
          <CreateButton />
        </Box>
      </TopToolbar>
      <Box sx={{ bgcolor: 'background.paper', borderRadius: 1, maxWidth: 900 }}>
        <Tree />
      </Box>
    </ListBase>
  );
}
