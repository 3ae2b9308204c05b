import { PASSWORD, startTestApp, type TestApp } from '../../test/harness';
import { ensureBuilt, openBrowser, signIn, type Session } from './browser';

/**
 * Every figure of the home page opens the application list that it counts: the list's total
 * equals the figure ("Bugün açılan" 3 opens 3, not all of them; a stage bar opens that stage
 * within the dashboard's range).
 */
let t: TestApp;
let s: Session;

const DAY = 86_400_000;

beforeAll(async () => {
  ensureBuilt();
  t = await startTestApp({ SERVE_BACKOFFICE: 'true' });
  const admin = { as: 'admin' as const };
  const category = (await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name: 'Bilgi' } }, admin)).data.createCategory.id;
  const account = (await t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { i: { name: 'Sayaç Ölçüm A.Ş.', kind: 'COMPANY' } }, admin)).data.createAccount.id;
  const create = async (subject: string, applicationDate?: Date) => {
    const r = await t.gql(
      'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }',
      { i: { applicantId: account, categoryId: category, subject, ...(applicationDate ? { applicationDate: applicationDate.toISOString() } : {}) } },
      admin,
    );
    expect(r.errors).toBeUndefined();
  };
  // Three today, two ten days ago (in the dashboard's 30 days), one sixty days ago (outside).
  for (let i = 0; i < 3; i++) await create(`Bugünkü başvuru ${i + 1}`);
  for (let i = 0; i < 2; i++) await create(`On gün önceki başvuru ${i + 1}`, new Date(Date.now() - 10 * DAY));
  await create('Altmış gün önceki başvuru', new Date(Date.now() - 60 * DAY));
  s = await openBrowser(t.url);
  await signIn(s.page, t.world.users.admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await s?.close().catch(() => undefined);
  await t?.stop();
});

afterEach(() => expect(s.errors).toEqual([]));

/** The list's total as its pagination shows it ("1-3 / 3"). */
async function listTotal(): Promise<number> {
  const info = s.page.locator('.MuiTablePagination-displayedRows');
  await info.filter({ hasText: /\/\s*\d+/ }).waitFor();
  return Number(/\/\s*(\d+)/.exec(await info.innerText())![1]);
}

test('"Bugün açılan" opens the applications opened today, as many as it shows', async () => {
  await s.page.goto('/#/');
  const tile = s.page.getByRole('link', { name: /Bugün açılan/ });
  const figure = tile.getByText(/^\d+$/);
  await figure.waitFor();
  expect(Number(await figure.innerText())).toBe(3);
  await expect(tile.getByTestId('tile-period').innerText()).resolves.toMatch(/\d{2}\.\d{2}\.\d{4}/);
  await tile.click();
  await s.page.waitForURL((u) => u.hash.startsWith('#/applications'));
  expect(await listTotal()).toBe(3);
  await s.page.getByText('Bugünkü başvuru 1').waitFor();
});

test('a stage bar opens that stage within the range, as many as the bar counts', async () => {
  await s.page.goto('/#/');
  const chart = s.page.getByTestId('chart-by-stage');
  await expect(chart.getByTestId('chart-period').innerText()).resolves.toMatch(/\d{2}\.\d{2}\.\d{4} – \d{2}\.\d{2}\.\d{4}/);
  const from = await s.page.locator('input[name=dashboardFrom]').inputValue();
  const to = await s.page.locator('input[name=dashboardTo]').inputValue();
  const api = await t.gql('query($i: DashboardInput!) { dashboard(input: $i) { byStage { id count } totals { total } } }', { i: { from, to } }, { as: 'admin' });
  const bar = api.data.dashboard.byStage[0];
  // How many falls in the range depends on the day the test runs (month and Istanbul-day boundaries); what matters is that the list shows as many as the bar.
  expect(bar.count).toBeGreaterThan(0);
  await chart.locator('.recharts-bar-rectangle').first().click();
  await s.page.waitForURL((u) => u.hash.startsWith('#/applications'));
  expect(await listTotal()).toBe(bar.count);
  // The dashboard's total opens the same range.
  await s.page.goto('/#/');
  const total = s.page.getByTestId('dashboard-total');
  await total.filter({ hasText: /^\d+$/ }).waitFor();
  expect(Number(await total.innerText())).toBe(api.data.dashboard.totals.total);
  await total.click();
  await s.page.waitForURL((u) => u.hash.startsWith('#/applications'));
  expect(await listTotal()).toBe(api.data.dashboard.totals.total);
  await s.shot('dashboard-links');
});
