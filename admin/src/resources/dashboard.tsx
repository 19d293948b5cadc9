// Dashboard: one call to GET /admin/stats/ (computed in SQL and cached by the API). Lazy-loaded with recharts.
import { Alert, Box, Card, CardContent, Grid, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Link, Loading, Title } from 'react-admin';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAdminData } from '../components';

type Windows = { today: string | number; last_7_days: string | number; last_30_days: string | number };

function Stat({ title, values, suffix = '' }: { title: string; values: Windows; suffix?: string }) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="subtitle2" component="h2" color="text.secondary">
          {title}
        </Typography>
        <Typography variant="h5" component="p" data-testid={`stat-${title.toLowerCase().replace(/\s+/g, '-')}`}>
          {`${values.today}${suffix}`}
        </Typography>
        <Typography variant="body2">{`7 days: ${values.last_7_days}${suffix} · 30 days: ${values.last_30_days}${suffix}`}</Typography>
      </CardContent>
    </Card>
  );
}

export default function Dashboard() {
  const data = useAdminData();
  const { data: stats, error, isPending } = useQuery({ queryKey: ['admin-stats'], queryFn: () => data.stats() });
  if (isPending) return <Loading />;
  if (error || !stats) return <Alert severity="error">{`The dashboard could not load: ${(error as Error)?.message}`}</Alert>;
  const currency = ` ${stats.currency}`;
  const chart = (stats.daily_revenue as Array<{ date: string; revenue: string; orders: number }>).map((d) => ({
    date: d.date.slice(5),
    revenue: Number(d.revenue),
    orders: d.orders,
  }));
  return (
    <Box sx={{ p: 2 }}>
      <Title title="Dashboard" />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
          <Stat title="Revenue" values={stats.revenue} suffix={currency} />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
          <Stat title="Orders" values={stats.orders} />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
          <Stat title="New customers" values={stats.new_customers} />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 3 }}>
          <Card variant="outlined" sx={{ height: '100%' }}>
            <CardContent>
              <Typography variant="subtitle2" component="h2" color="text.secondary">
                Background jobs
              </Typography>
              <Typography variant="h5" component="p" data-testid="stat-failed-jobs">{`${stats.jobs.failed + stats.jobs.dead} failing`}</Typography>
              <Typography variant="body2">
                {`${stats.jobs.failed} waiting to retry · ${stats.jobs.dead} dead · `}
                <Link to="/jobs">see jobs</Link>
              </Typography>
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 8 }}>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="subtitle1" component="h2">{`Revenue per day, last 30 days (${stats.currency})`}</Typography>
              <Box role="img" aria-label="Bar chart of daily revenue over the last 30 days" sx={{ height: 260 }}>
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={chart}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" fontSize={11} />
                    <YAxis fontSize={11} />
                    <Tooltip />
                    <Bar dataKey="revenue" fill="#1565c0" />
                  </BarChart>
                </ResponsiveContainer>
              </Box>
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="subtitle1" component="h2">
                Orders by status
              </Typography>
              <Table size="small" aria-label="Orders by status">
                <TableBody>
                  {Object.entries(stats.orders_by_status as Record<string, number>).map(([status, count]) => (
                    <TableRow key={status}>
                      <TableCell>
                        <Link to={`/orders?filter=${encodeURIComponent(JSON.stringify({ status }))}`}>{status}</Link>
                      </TableCell>
                      <TableCell align="right">{count}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </CardContent>
          </Card>
        </Grid>
        <Grid size={12}>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="subtitle1" component="h2">{`Low stock (${stats.low_stock.count})`}</Typography>
              {stats.low_stock.count === 0 ? (
                <Typography variant="body2">No variant is at or below its low-stock threshold.</Typography>
              ) : (
                <Table size="small" aria-label="Low-stock variants">
                  <TableHead>
                    <TableRow>
                      <TableCell>Product</TableCell>
                      <TableCell>SKU</TableCell>
                      <TableCell align="right">Stock</TableCell>
                      <TableCell align="right">Threshold</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {(stats.low_stock.results as Array<Record<string, string | number>>).map((v) => (
                      <TableRow key={String(v.variant_id)}>
                        <TableCell>
                          <Link to={`/products/${v.product_slug}`}>{`${v.product_name} ${v.variant_name}`}</Link>
                        </TableCell>
                        <TableCell>{v.sku}</TableCell>
                        <TableCell align="right">{v.stock_quantity}</TableCell>
                        <TableCell align="right">{v.low_stock_threshold}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </CardContent>
          </Card>
        </Grid>
      </Grid>
    </Box>
  );
}
