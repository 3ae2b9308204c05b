import { Box, Card, CardActionArea, CardContent, Grid, Typography } from '@mui/material';
import { Title, useGetIdentity, useLocaleState, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { gql } from '../data/graphql';
import { APPLICATION_CHANGED, useSubscription } from '../data/live';
import { Dashboard } from './Dashboard';
import { formatDate } from '../components/fields';
import { dayRange, listPath, zoneToday } from './links';

const COUNTS = `query($me: ID!, $today: DateTimeISO!, $tomorrow: DateTimeISO!) {
  open: applications(filter: { closed: false }, page: { limit: 1 }) { total }
  mine: applications(filter: { closed: false, assigneeUserIds: [$me] }, page: { limit: 1 }) { total }
  today: applications(filter: { applicationDate: { from: $today, to: $tomorrow } }, page: { limit: 1 }) { total }
}`;

function Tile({ label, value, to, period }: { label: string; value: number | undefined; to: string; period: string }) {
  return (
    <Card variant="outlined">
      <CardActionArea component={Link} to={to}>
        <CardContent>
          <Typography variant="body2" color="text.secondary">
            {label}
          </Typography>
          <Typography variant="h4" component="p">
            {value ?? '…'}
          </Typography>
          <Typography variant="caption" color="text.secondary" data-testid="tile-period">
            {period}
          </Typography>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

/** The counts every user starts the day with. */
export function HomeTiles() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const { identity } = useGetIdentity();
  // Today as the dashboard counts it: the call center's day (Europe/Istanbul), whatever the
  // browser's zone; the tile and the list it opens use the same instant.
  const today = zoneToday();
  const { from: since, to: until } = dayRange(today, today);
  const filters = {
    open: { closed: false },
    mine: { closed: false, assigneeUserIds: identity ? [String(identity.id)] : [] },
    today: { applicationDate: { from: since, to: until } },
  };
  const { data, refetch } = useQuery({
    queryKey: ['homeCounts', identity?.id, since],
    enabled: !!identity,
    queryFn: () => gql(COUNTS, { me: identity!.id, today: since, tomorrow: until }),
  });
  useSubscription(APPLICATION_CHANGED, {}, () => void refetch(), 1000);
  const now = translate('app.dashboard.period_now');
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.open')} value={data?.open.total} to={listPath(filters.open)} period={now} />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.mine')} value={data?.mine.total} to={listPath(filters.mine)} period={now} />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.today')} value={data?.today.total} to={listPath(filters.today)} period={translate('app.dashboard.period_day', { day: formatDate(today, locale) })} />
      </Grid>
    </Grid>
  );
}

export function Home() {
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  return (
    <div style={{ marginTop: 16 }}>
      <Title title={translate('ra.page.dashboard')} />
      <Typography variant="h5" component="h1" gutterBottom>
        {translate('app.dashboard.welcome', { name: identity?.fullName ?? '' })}
      </Typography>
      <HomeTiles />
      <Box sx={{ mt: 3 }}>
        <Dashboard />
      </Box>
    </div>
  );
}
