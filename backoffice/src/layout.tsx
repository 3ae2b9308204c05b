import { useEffect, useState } from 'react';
import { Box, Collapse, List as MuiList, ListItemButton, ListItemText, Tooltip } from '@mui/material';
import ExpandLess from '@mui/icons-material/ExpandLess';
import ExpandMore from '@mui/icons-material/ExpandMore';
import DashboardIcon from '@mui/icons-material/Dashboard';
import PhoneInTalkIcon from '@mui/icons-material/PhoneInTalk';
import ChecklistIcon from '@mui/icons-material/Checklist';
import ViewKanbanIcon from '@mui/icons-material/ViewKanban';
import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';
import { AppBar, Layout, LoadingIndicator, LocalesMenuButton, Menu, TitlePortal, useCanAccess, useCanAccessResources, useLocaleState, useSidebarState, useTranslate, type LayoutProps } from 'react-admin';
import { MENU_GROUPS } from './resources';
import { JobsPanel } from './components/jobs';
import { HAS_MAIL } from './resources/mail/mail';
import ReportIcon from '@mui/icons-material/Report';

function ResourceItem({ name, action }: { name: string; action: string }) {
  const { canAccess, isPending } = useCanAccess({ resource: name, action });
  if (isPending || !canAccess) return null;
  return <Menu.ResourceItem name={name} />;
}

function Group({ label, items }: { label: string; items: string[] }) {
  const translate = useTranslate();
  const access = useCanAccessResources({ action: label === 'app.menu.admin' ? 'create' : 'list', resources: items });
  const [open, setOpen] = useState(label !== 'app.menu.admin');
  const [sidebarOpen] = useSidebarState();
  if (access.isPending || !items.some((i) => access.canAccess?.[i])) return null;
  return (
    <>
      {sidebarOpen && (
        <ListItemButton onClick={() => setOpen(!open)} dense aria-expanded={open} sx={{ mt: 1 }}>
          <ListItemText primary={translate(label)} slotProps={{ primary: { variant: 'overline', color: 'text.secondary' } }} />
          {open ? <ExpandLess fontSize="small" /> : <ExpandMore fontSize="small" />}
        </ListItemButton>
      )}
      <Collapse in={open || !sidebarOpen} timeout="auto" unmountOnExit>
        <MuiList disablePadding dense>
          {items.map((i) => (
            <ResourceItem key={i} name={i} action={label === 'app.menu.admin' ? 'create' : 'list'} />
          ))}
        </MuiList>
      </Collapse>
    </>
  );
}

function AppMenu() {
  const translate = useTranslate();
  const tasks = useCanAccess({ resource: 'tasks', action: 'list' });
  const create = useCanAccess({ resource: 'applications', action: 'create' });
  const opp = useCanAccess({ resource: 'opportunities', action: 'list' });
  const mail = useCanAccess({ resource: 'mailboxes', action: 'edit' });
  return (
    <Menu>
      <Menu.DashboardItem leftIcon={<DashboardIcon />} />
      {create.canAccess && <Menu.Item to="/applications/create" primaryText={translate('app.menu.new_call')} leftIcon={<PhoneInTalkIcon />} />}
      {tasks.canAccess && <Menu.Item to={`/tasks?filter=${encodeURIComponent(JSON.stringify({ mine: true }))}`} primaryText={translate('app.menu.my_tasks')} leftIcon={<ChecklistIcon />} />}
      {opp.canAccess && <Menu.Item to="/pipeline" primaryText={translate('app.menu.pipeline')} leftIcon={<ViewKanbanIcon />} />}
      {MENU_GROUPS.map((g) => (
        <Group key={g.label} {...g} />
      ))}
      {HAS_MAIL && mail.canAccess && <Menu.Item to="/mail-quarantine" primaryText={translate('app.mail.quarantine')} leftIcon={<ReportIcon />} />}
    </Menu>
  );
}

function LiveDot() {
  const translate = useTranslate();
  return (
    <Tooltip title={translate('app.message.live')}>
      <FiberManualRecordIcon sx={{ color: '#7CFC9A', fontSize: 12, mx: 1 }} aria-label={translate('app.message.live')} />
    </Tooltip>
  );
}

function MyAppBar() {
  return (
    <AppBar toolbar={<><LiveDot /><LocalesMenuButton /><LoadingIndicator /></>}>
      <TitlePortal />
      <Box sx={{ flex: 1 }} />
    </AppBar>
  );
}

/** The page's language follows the user's choice (upper-casing İ/I and screen readers depend on it). */
function HtmlLang() {
  const [locale] = useLocaleState();
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return null;
}

export function AppLayout(props: LayoutProps) {
  return (
    <Layout
      {...props}
      menu={AppMenu}
      appBar={MyAppBar}
      sx={{
        // Wide tables scroll inside the page instead of widening it (tablets).
        minWidth: 0,
        '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar': { minWidth: 0 },
        '& .RaLayout-content': { px: { xs: 1, sm: 2 }, minWidth: 0 },
        '& .RaList-content, & .RaDatagrid-tableWrapper': { overflowX: 'auto' },
        '& .RaShow-card, & .RaEdit-card, & .RaCreate-card, & .RaList-main': { minWidth: 0 },
      }}
    >
      <HtmlLang />
      {props.children}
      <JobsPanel />
    </Layout>
  );
}
