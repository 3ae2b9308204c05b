import { createContext, type Context } from '../../api/context';
import type { DemoSeed } from '../../api/module';
import { Account, Region } from '../accounts/entities/account.entities';
import { accountService, contactService, regionService, subscriptionService } from '../accounts/services/account.services';
import { identityOf } from '../identity/services/auth.service';
import { Branch, Campaign, Project } from '../reference/entities/reference.entities';
import { branchService, campaignService, projectService } from '../reference/services/reference.services';
import { Application } from './entities/application.entities';
import { Category, ProcessStage } from './entities/classification.entities';
import { applicationService } from './services/application.service';
import { categoryService } from './services/classification.service';

/** category → subcategory → tree categories */
const TREE: [string, [string, string[]][]][] = [
  ['Şikâyet', [['Fatura', ['Yüksek fatura', 'Hatalı tahakkuk']], ['Hizmet kalitesi', ['Personel tutumu', 'Gecikme']], ['Teknik arıza', ['İnternet kesintisi', 'Cihaz arızası']]]],
  ['Talep', [['Abonelik', ['Yeni abonelik', 'Nakil', 'İptal']], ['Bilgi talebi', []], ['Randevu', []]]],
  ['Öneri', [['Ürün önerisi', []], ['Süreç iyileştirme', []]]],
];

const COMPANIES = [
  { name: 'Anadolu Gıda Sanayi A.Ş.', taxNumber: '1234567890', city: 'İstanbul', district: 'Ümraniye', phone: '0216 555 10 20' },
  { name: 'Ege Tekstil Ltd. Şti.', taxNumber: '2345678901', city: 'İzmir', district: 'Bornova', phone: '0232 444 20 30' },
  { name: 'Karadeniz Lojistik A.Ş.', taxNumber: '3456789012', city: 'Trabzon', district: 'Ortahisar', phone: '0462 333 40 50' },
  { name: 'Çukurova Tarım Ürünleri Ltd.', taxNumber: '4567890123', city: 'Adana', district: 'Seyhan', phone: '0322 222 50 60' },
];
const PEOPLE = [
  { first: 'Şükrü', last: 'Işıklı', city: 'Ankara', phone: '0532 100 20 30' },
  { first: 'Gülşen', last: 'Özdemir', city: 'İstanbul', phone: '0533 200 30 40' },
  { first: 'İsmail', last: 'Çakır', city: 'Bursa', phone: '0534 300 40 50' },
  { first: 'Ayşegül', last: 'Doğan', city: 'Konya', phone: '0535 400 50 60' },
  { first: 'Ömer', last: 'Yücel', city: 'Eskişehir', phone: '0536 500 60 70' },
  { first: 'Çiğdem', last: 'Ünlü', city: 'Antalya', phone: '0537 600 70 80' },
];
const SUBJECTS: [string, string, string][] = [
  ['Şikâyet', 'Fatura', 'Son faturam olağandışı yüksek geldi'],
  ['Şikâyet', 'Fatura', 'Fatura tutarı sözleşmeyle uyuşmuyor'],
  ['Şikâyet', 'Teknik arıza', 'İnternet bağlantısı sık sık kopuyor'],
  ['Şikâyet', 'Teknik arıza', 'Modem ışıkları yanıp sönüyor, bağlantı yok'],
  ['Şikâyet', 'Hizmet kalitesi', 'Çağrı merkezinde çok uzun süre beklettim'],
  ['Şikâyet', 'Hizmet kalitesi', 'Teknisyen randevuya gelmedi'],
  ['Talep', 'Abonelik', 'Aboneliğimi yeni adresime taşımak istiyorum'],
  ['Talep', 'Abonelik', 'Yeni şube için abonelik başvurusu'],
  ['Talep', 'Bilgi talebi', 'Kampanya koşulları hakkında bilgi istiyorum'],
  ['Talep', 'Randevu', 'Kurulum için hafta sonu randevusu rica ediyorum'],
  ['Öneri', 'Ürün önerisi', 'Mobil uygulamaya fatura itiraz özelliği eklenmeli'],
  ['Öneri', 'Süreç iyileştirme', 'Şikâyetlerin SMS ile takip edilebilmesi önerisi'],
];
const DETAILS = [
  'Müşteri telefonla aradı, durumu ayrıntılı olarak anlattı. Geri dönüş bekliyor.',
  'Işıklı göstergelerde sorun var; müşteri cihazı yeniden başlattığını söyledi.',
  'Geçen ay da aynı sorun yaşanmış. Önceki başvuru numarası müşteride mevcut.',
  'Müşteri İngilizce değil Türkçe yazılı bilgilendirme istiyor; e-posta adresi teyit edildi.',
];

/** A small, deterministic pseudo-random sequence (the demo is the same on every machine). */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

export async function seedApplicationsDemo(system: Context, demo: DemoSeed): Promise<void> {
  const em = system.em;
  if ((await em.count(Application, { referenceNo: { $like: 'DEMO-%' } })) > 0) return;
  const rand = rng(2026);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];

  // Classification
  const cats = new Map<string, Category>();
  for (const [name, subs] of TREE) {
    const c = (await em.findOne(Category, { name, parent: null })) ?? (await categoryService.create(system, { name }));
    cats.set(name, c);
    for (const [subName, trees] of subs) {
      const s = (await em.findOne(Category, { name: subName, parent: c.id })) ?? (await categoryService.create(system, { name: subName, parentId: String(c.id) }));
      cats.set(`${name}/${subName}`, s);
      for (const t of trees) {
        const n = (await em.findOne(Category, { name: t, parent: s.id })) ?? (await categoryService.create(system, { name: t, parentId: String(s.id) }));
        cats.set(`${name}/${subName}/${t}`, n);
      }
    }
  }
  // Reference data
  const ensure = async <T extends { id: number }>(find: () => Promise<T | null>, make: () => Promise<T>) => (await find()) ?? (await make());
  const branches = [
    await ensure(() => em.findOne(Branch, { name: 'Merkez' }), () => branchService.create(system, { name: 'Merkez', city: 'İstanbul' })),
    await ensure(() => em.findOne(Branch, { name: 'İzmir Şubesi' }), () => branchService.create(system, { name: 'İzmir Şubesi', city: 'İzmir' })),
  ];
  const project = await ensure(() => em.findOne(Project, { name: 'Fiber Dönüşüm Projesi' }), () => projectService.create(system, { name: 'Fiber Dönüşüm Projesi', code: 'FDP', startDate: '2026-01-01' }));
  const campaign = await ensure(() => em.findOne(Campaign, { name: 'Yaz Kampanyası 2026' }), () => campaignService.create(system, { name: 'Yaz Kampanyası 2026', startDate: '2026-06-01', endDate: '2026-08-31' }));
  const region = (await em.findOne(Region, { name: 'Marmara Bölgesi' })) ?? await regionService.create(system, { name: 'Marmara Bölgesi', responsibleId: demo.refs.has('leader:destek') ? String(demo.refs.get('leader:destek')) : null });

  // Accounts with contacts and subscriptions
  const accounts: Account[] = [];
  let subNo = 1000;
  for (const c of COMPANIES) {
    const a = (await em.findOne(Account, { taxNumber: c.taxNumber })) ?? (await accountService.create(system, { kind: 'COMPANY' as never, name: c.name, taxNumber: c.taxNumber, city: c.city, district: c.district, phones: [c.phone], regionId: c.city === 'İstanbul' ? String(region.id) : null }));
    accounts.push(a);
    await contactService.create(system, { accountId: String(a.id), firstName: pick(['Hakan', 'Selin', 'Murat', 'Esra']), lastName: pick(['Koç', 'Aksoy', 'Turan', 'Erdoğan']), title: 'Satın alma sorumlusu', phone: c.phone });
    await subscriptionService.create(system, { accountId: String(a.id), number: `AB-${++subNo}`, name: `${c.city} merkez hattı`, startDate: '2025-03-01' });
  }
  for (const p of PEOPLE) {
    const a = await accountService.create(system, { kind: 'INDIVIDUAL' as never, name: `${p.first} ${p.last}`, city: p.city, phones: [p.phone] });
    accounts.push(a);
    await contactService.create(system, { accountId: String(a.id), firstName: p.first, lastName: p.last, phone: p.phone });
    await subscriptionService.create(system, { accountId: String(a.id), number: `AB-${++subNo}`, name: 'Ev interneti', startDate: '2024-09-15' });
  }

  // Applications, recorded by the demo agents as they would during calls
  const stages = await em.find(ProcessStage, {}, { orderBy: { sortOrder: 'asc' } });
  const agentKeys = [...demo.refs.keys()].filter((k) => k.startsWith('agent:'));
  if (!agentKeys.length) return;
  const contexts = new Map<number, Context>();
  const as = async (userId: number) => {
    if (!contexts.has(userId)) contexts.set(userId, createContext(system.services, await identityOf(em, userId), { ip: '127.0.0.1', em }));
    return contexts.get(userId)!;
  };
  const now = Date.now();
  for (let i = 0; i < 48; i++) {
    const agentKey = pick(agentKeys);
    const teamKey = agentKey.split(':')[1];
    const agentId = demo.refs.get(agentKey)!;
    const ctx = await as(agentId);
    const [catName, subName, subject] = pick(SUBJECTS);
    const sub = cats.get(`${catName}/${subName}`)!;
    const trees = [...cats.entries()].filter(([k]) => k.startsWith(`${catName}/${subName}/`)).map(([, v]) => v);
    const applicant = pick(accounts);
    const contacts = await contactService.list(system, { accountId: String(applicant.id) }, undefined, { limit: 5 });
    const subs = await subscriptionService.list(system, { accountId: String(applicant.id) }, undefined, { limit: 5 });
    const daysAgo = Math.floor(rand() * rand() * 120);
    const app = await applicationService.create(ctx, {
      applicantId: String(applicant.id),
      reporterId: contacts.items[0] ? String(contacts.items[0].id) : null,
      branchId: String(pick(branches).id),
      categoryId: String(cats.get(catName)!.id),
      subcategoryId: String(sub.id),
      treeCategoryId: trees.length && rand() < 0.7 ? String(pick(trees).id) : null,
      subscriptionId: subs.items[0] ? String(subs.items[0].id) : null,
      projectId: rand() < 0.3 ? String(project.id) : null,
      campaignId: rand() < 0.2 ? String(campaign.id) : null,
      referenceNo: `DEMO-${String(i + 1).padStart(4, '0')}`,
      applicationDate: new Date(now - daysAgo * 86_400_000 - Math.floor(rand() * 8) * 3_600_000),
      assignee: rand() < 0.15 ? { everyone: true } : rand() < 0.5 ? { teamId: String(demo.refs.get(`team:${teamKey}`)) } : { userId: String(agentId) },
      subject,
      detail: pick(DETAILS),
    });
    const followUps = Math.floor(rand() * 3);
    for (let f = 0; f < followUps; f++) await applicationService.addFollowUp(ctx, String(app.id), { text: pick(['Müşteri arandı, bilgi verildi.', 'Teknik ekibe iletildi; dönüş bekleniyor.', 'Müşteri çözümden memnun olduğunu belirtti.']) });
    if (rand() < 0.7) await applicationService.addTimeEntry(ctx, String(app.id), { minutes: 5 + Math.floor(rand() * 40), note: 'Telefon görüşmesi' });
    const steps = Math.floor(rand() * stages.length);
    let current = await applicationService.get(ctx, String(app.id));
    for (let s = 1; s <= steps && s < stages.length; s++) {
      current = await applicationService.changeStage(ctx, String(current.id), current.version, String(stages[s].id));
    }
  }
  demo.notes.push(`  48 applications across ${cats.size} categories and ${stages.length} stages, with follow-ups and time entries`);
}
