import { Box, Card, CardActionArea, CardContent, Grid, Typography } from '@mui/material';
import { Title, useGetIdentity, useTranslate, useCreatePath } from 'react-admin';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { gql } from '../data/graphql';
import { APPLICATION_CHANGED, useSubscription } from '../data/live';
import { Dashboard } from './Dashboard';

const COUNTS = `query($me: ID!, $today: DateTimeISO!) {
  open: applications(filter: { closed: false }, page: { limit: 1 }) { total }
  mine: applications(filter: { closed: false, assigneeUserIds: [$me] }, page: { limit: 1 }) { total }
  today: applications(filter: { applicationDate: { from: $today } }, page: { limit: 1 }) { total }
}`;

function Tile({ label, value, to }: { label: string; value: number | undefined; to: string }) {
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
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

/** The counts every user starts the day with. */
export function HomeTiles() {
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  const createPath = useCreatePath();
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const { data, refetch } = useQuery({
    queryKey: ['homeCounts', identity?.id],
    enabled: !!identity,
    queryFn: () => gql(COUNTS, { me: identity!.id, today: today.toISOString() }),
  });
  useSubscription(APPLICATION_CHANGED, {}, () => void refetch(), 1000);
  const list = createPath({ resource: 'applications', type: 'list' });
  const f = (filter: object) => `${list}?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.open')} value={data?.open.total} to={f({ closed: false })} />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.mine')} value={data?.mine.total} to={f({ closed: false, assigneeUserIds: identity ? [identity.id] : [] })} />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <Tile label={translate('app.dashboard.today')} value={data?.today.total} to={list} />
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
