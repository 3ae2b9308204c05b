import { Box, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { Title, useGetList, useTranslate, Link, useCreatePath, Loading } from 'react-admin';
import { useQuery } from '@tanstack/react-query';
import { gql } from '../../data/graphql';
import { NumberLocale } from '../../components/fields';

const PIPELINE = `query { opportunityPipeline { count stage { id name color outcome } totalAmount { currency amount } weightedAmount { currency amount } } }`;

/** The sales pipeline: one column per stage with its totals and its open opportunities. */
export function Pipeline() {
  const translate = useTranslate();
  const createPath = useCreatePath();
  const { data: stages, isPending } = useQuery({ queryKey: ['opportunityPipeline'], queryFn: () => gql(PIPELINE).then((d) => d.opportunityPipeline) });
  const { data: opps = [] } = useGetList('opportunities', { pagination: { page: 1, perPage: 200 }, sort: { field: 'expectedAmount', order: 'DESC' }, filter: {} });
  if (isPending) return <Loading />;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={translate('app.menu.pipeline')} />
      <Stack direction="row" spacing={2} sx={{ overflowX: 'auto', pb: 2 }}>
        {(stages ?? []).map((s: any) => (
          <Card key={s.stage?.id ?? 'none'} variant="outlined" sx={{ minWidth: 260, maxWidth: 300, flexShrink: 0, borderTop: 4, borderTopColor: s.stage?.color ?? 'grey.400' }}>
            <CardContent>
              <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>
                {s.stage?.name ?? '—'}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {translate('app.pipeline.count', { count: s.count })}
              </Typography>
              {s.totalAmount.map((t: any) => (
                <Typography key={t.currency} variant="body2">
                  {translate('app.pipeline.total')}: <NumberLocale value={t.amount} currency={t.currency} />
                </Typography>
              ))}
              {s.weightedAmount.map((t: any) => (
                <Typography key={t.currency} variant="body2" color="text.secondary">
                  {translate('app.pipeline.weighted')}: <NumberLocale value={t.amount} currency={t.currency} />
                </Typography>
              ))}
              <Stack spacing={1} sx={{ mt: 2 }}>
                {opps
                  .filter((o: any) => o.stage?.id === s.stage?.id)
                  .map((o: any) => (
                    <Card key={o.id} variant="outlined">
                      <CardContent sx={{ p: 1.5, '&:last-child': { pb: 1.5 } }}>
                        <Link to={createPath({ resource: 'opportunities', id: o.id, type: 'edit' })}>{o.title}</Link>
                        <Typography variant="body2" color="text.secondary">
                          {o.account?.name}
                        </Typography>
                        <Chip size="small" label={<NumberLocale value={o.expectedAmount} currency={o.currency} />} sx={{ mt: 0.5 }} />
                      </CardContent>
                    </Card>
                  ))}
              </Stack>
            </CardContent>
          </Card>
        ))}
      </Stack>
    </Box>
  );
}
