/**
 * The benchmark data set of ../shared/QUALITY.md, in a database of its own.
 *
 *   npm run seed:bulk                                  # 1,000,000 applications
 *   npm run seed:bulk -- --quick                       # 100,000 applications
 *   npm run seed:bulk -- --applications 250000 --seed 7 --until 2026-11-22
 *   npm run seed:bulk -- --scale 0.5
 *
 * The database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/callcenter_bench)
 * is dropped and created from scratch: migrations and first-run data (roles, stages,
 * priorities, channels, the administrator) come from the server's own startApp(); the rest
 * is generated inside PostgreSQL with generate_series, in chunks spread over a few
 * connections, with secondary indexes and foreign keys dropped during the load and rebuilt
 * afterwards. Every random choice is a hash of (row, purpose, seed), so the same seed and
 * --until give the same rows whatever the chunk order.
 *
 * Sizes per 1,000,000 applications: 50,000 accounts, 120,000 contacts, 60,000 subscriptions,
 * ~3,000,000 follow-ups, ~2,000,000 time entries; fixed: 200 users (20 team leaders and 180
 * agents in 20 teams) plus the administrator, 512 categories, 7 regions, 30 branches,
 * 20 projects, 30 campaigns.
 */
import os from 'node:os';
import pg from 'pg';
// The server's modules are loaded once LOG_LEVEL is set (the logger reads it when it loads).
type AppModule = typeof import('../api/app');
type ConfigModule = typeof import('../api/config');
type AuthModule = typeof import('../modules/identity/services/auth.service');

// ---------------------------------------------------------------- options

export const BENCH_DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/callcenter_bench';
export const BENCH_DEFAULT_PASSWORD = 'bench-parola-2026';

interface Options {
  url: string;
  applications: number;
  seed: number;
  until: Date;
  workers: number;
  force: boolean;
  password: string;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`seed:bulk: ${msg}\n`);
  process.stderr.write(
    'usage: seed-bulk [--applications N | --scale F | --quick] [--seed S] [--until YYYY-MM-DD] [--workers W] [--force]\n' +
      '  database: BENCH_DATABASE_URL (default ' + BENCH_DEFAULT_URL + '); it is dropped and recreated.\n' +
      '  users sign in with BENCH_PASSWORD (default ' + BENCH_DEFAULT_PASSWORD + ').\n',
  );
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv: string[]): Options {
  let applications = 1_000_000;
  let seed = 1;
  const today = new Date();
  let until = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  let workers = Math.max(2, Math.min(4, os.cpus().length));
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--applications') applications = Number(next());
    else if (a === '--scale') applications = Math.round(1_000_000 * Number(next()));
    else if (a === '--quick') applications = 100_000;
    else if (a === '--seed') seed = Number(next());
    else if (a === '--until') until = new Date(`${next()}T00:00:00Z`);
    else if (a === '--workers') workers = Number(next());
    else if (a === '--force') force = true;
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(applications) || applications < 1000 || applications > 20_000_000) usage('applications must be an integer from 1,000 to 20,000,000');
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31) usage('seed must be a non-negative integer');
  if (Number.isNaN(until.getTime())) usage('until must be a date, YYYY-MM-DD');
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) usage('workers must be 1-16');
  return { url: process.env.BENCH_DATABASE_URL || BENCH_DEFAULT_URL, applications, seed, until, workers, force, password: process.env.BENCH_PASSWORD || BENCH_DEFAULT_PASSWORD };
}

// ---------------------------------------------------------------- Turkish words

const FIRST = [
  'Ayşe', 'Fatma', 'Emine', 'Hatice', 'Zeynep', 'Elif', 'Meryem', 'Şerife', 'Sultan', 'Zehra', 'Hanife', 'Merve', 'Havva', 'Özlem', 'Esra', 'Yasemin',
  'Hülya', 'Gülşen', 'Büşra', 'Derya', 'Songül', 'Sevgi', 'Ebru', 'Tuğba', 'Gamze', 'Çiğdem', 'Nurcan', 'Aysel', 'Filiz', 'Dilek', 'Kübra', 'Seda',
  'Pınar', 'İrem', 'Ece', 'Gizem', 'Melek', 'Şükran', 'Nazlı', 'Damla', 'Mehmet', 'Mustafa', 'Ahmet', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'İsmail',
  'Osman', 'Yusuf', 'Murat', 'Ömer', 'Ramazan', 'Halil', 'Süleyman', 'Abdullah', 'Mahmut', 'Recep', 'Salih', 'Fatih', 'Kadir', 'Emre', 'Hakan', 'Burak',
  'Serkan', 'Uğur', 'Onur', 'Gökhan', 'Erkan', 'Volkan', 'Tolga', 'Cem', 'Oğuz', 'Barış', 'Şükrü', 'Çağlar', 'Doğan', 'Eren', 'Kerem', 'Tuncay',
];
const LAST = [
  'Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan', 'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Kara',
  'Koç', 'Kurt', 'Özkan', 'Şimşek', 'Polat', 'Özcan', 'Korkmaz', 'Çakır', 'Erdoğan', 'Yavuz', 'Can', 'Acar', 'Şen', 'Aktaş', 'Güler', 'Yalçın',
  'Güneş', 'Bozkurt', 'Bulut', 'Keskin', 'Ünal', 'Turan', 'Gül', 'Özer', 'Işık', 'Kaplan', 'Avcı', 'Sarı', 'Tekin', 'Taş', 'Köse', 'Yüksel',
  'Ateş', 'Aksoy', 'Uçar', 'Karataş', 'Kocabaş', 'Çiftçi', 'Sönmez', 'Başaran', 'Türkmen', 'Karakaya', 'Eren', 'Altun', 'Akgül', 'Duman', 'Işıklı', 'Ünlü',
  'Yücel', 'Gündoğdu', 'Karaca', 'Coşkun', 'Akın', 'Tunç', 'Güven', 'Erdem', 'Bayram', 'Uysal', 'Tuna', 'Oral', 'Kalkan', 'Çınar', 'Ekinci', 'Özgür',
];
const COMPANY_PREFIX = [
  'Anadolu', 'Ege', 'Marmara', 'Boğaziçi', 'Kuzey', 'Güney', 'Yıldız', 'Demir', 'Başak', 'Altın', 'Güneş', 'Toros', 'Kardelen', 'Akdeniz', 'Karadeniz', 'Uludağ',
  'Erciyes', 'Fırat', 'Dicle', 'Kızılırmak', 'Yeşil', 'Mavi', 'Beyaz', 'Lale', 'Çınar', 'Meltem', 'Ufuk', 'Zirve', 'Doruk', 'Pınar', 'Ekin', 'Bereket',
  'Tuna', 'Sedef', 'İnci', 'Atlas', 'Kartal', 'Şahin', 'Ceylan', 'Nehir',
];
const SECTOR = [
  'Gıda', 'Tekstil', 'Lojistik', 'İnşaat', 'Enerji', 'Otomotiv', 'Bilişim', 'Turizm', 'Tarım Ürünleri', 'Kimya', 'Mobilya', 'Medikal', 'Ambalaj', 'Elektrik',
  'Makine', 'Plastik', 'Kozmetik', 'Yapı Malzemeleri', 'Eğitim', 'Danışmanlık', 'Reklam', 'Su Ürünleri', 'Petrol', 'Madencilik', 'Mühendislik', 'Matbaa',
  'Hırdavat', 'Kuyumculuk', 'Oto Kiralama', 'Sağlık Hizmetleri',
];
const COMPANY_TYPE = ['Sanayi ve Ticaret A.Ş.', 'Ltd. Şti.', 'A.Ş.', 'Ticaret Ltd. Şti.', 'Pazarlama A.Ş.', 'Hizmetleri Ltd. Şti.'];
const MAHALLE = [
  'Atatürk', 'Cumhuriyet', 'Yeni', 'Fatih', 'Bahçelievler', 'Gazi', 'Hürriyet', 'İstiklal', 'Mimar Sinan', 'Barbaros', 'Yunus Emre', 'Mevlana', 'Esentepe', 'Kocatepe',
  'Zafer', 'Çamlık', 'Güzelyalı', 'Kültür', 'Merkez', 'Sahil', 'Yavuz Selim', 'Orhangazi', 'Pınarbaşı', 'Karşıyaka', 'Selimiye', 'Akşemsettin', 'Altıntepe', 'Fevzi Çakmak',
];
const SOKAK = [
  'Lale', 'Gül', 'Menekşe', 'Çınar', 'Akasya', 'Papatya', 'Zambak', 'Kardelen', 'Ihlamur', 'Söğüt', 'Nergis', 'Manolya', 'Begonya', 'Sümbül', 'Orkide', 'Yasemin',
  'Şebboy', 'Karanfil', 'Defne', 'Ardıç', 'Servi', 'Zeytin', 'Nar', 'Kiraz', 'Erguvan', 'Leylak',
];
const DOMAINS = ['gmail.com', 'hotmail.com', 'yahoo.com', 'outlook.com', 'yandex.com', 'icloud.com'];
const TITLES = ['Satın alma sorumlusu', 'Muhasebe müdürü', 'Genel müdür', 'İK uzmanı', 'Bilgi işlem sorumlusu', 'Operasyon müdürü', 'Finans uzmanı', 'Şube müdürü', 'Ofis yöneticisi'];

const REGIONS = ['Marmara Bölgesi', 'Ege Bölgesi', 'Akdeniz Bölgesi', 'İç Anadolu Bölgesi', 'Karadeniz Bölgesi', 'Doğu Anadolu Bölgesi', 'Güneydoğu Anadolu Bölgesi'];
/** city, population weight, region (1-based), area code, districts */
const CITIES: [string, number, number, string, string[]][] = [
  ['İstanbul', 18, 1, '0216', ['Kadıköy', 'Üsküdar', 'Beşiktaş', 'Şişli', 'Bakırköy', 'Ümraniye', 'Pendik', 'Esenyurt', 'Kartal', 'Beylikdüzü', 'Fatih', 'Ataşehir']],
  ['Ankara', 6, 4, '0312', ['Çankaya', 'Keçiören', 'Yenimahalle', 'Mamak', 'Etimesgut', 'Sincan']],
  ['İzmir', 5, 2, '0232', ['Karşıyaka', 'Bornova', 'Konak', 'Buca', 'Bayraklı', 'Çiğli']],
  ['Bursa', 3, 1, '0224', ['Osmangazi', 'Nilüfer', 'Yıldırım', 'İnegöl']],
  ['Antalya', 3, 3, '0242', ['Muratpaşa', 'Kepez', 'Konyaaltı', 'Alanya', 'Manavgat']],
  ['Adana', 2, 3, '0322', ['Seyhan', 'Çukurova', 'Yüreğir', 'Ceyhan']],
  ['Konya', 2, 4, '0332', ['Selçuklu', 'Meram', 'Karatay', 'Ereğli']],
  ['Gaziantep', 2, 7, '0342', ['Şahinbey', 'Şehitkamil', 'Nizip']],
  ['Şanlıurfa', 1, 7, '0414', ['Haliliye', 'Eyyübiye', 'Siverek']],
  ['Kocaeli', 2, 1, '0262', ['İzmit', 'Gebze', 'Darıca', 'Körfez']],
  ['Mersin', 2, 3, '0324', ['Yenişehir', 'Mezitli', 'Toroslar', 'Tarsus']],
  ['Diyarbakır', 1, 7, '0412', ['Kayapınar', 'Bağlar', 'Yenişehir']],
  ['Kayseri', 1, 4, '0352', ['Melikgazi', 'Kocasinan', 'Talas']],
  ['Eskişehir', 1, 4, '0222', ['Tepebaşı', 'Odunpazarı']],
  ['Samsun', 1, 5, '0362', ['İlkadım', 'Atakum', 'Canik', 'Bafra']],
  ['Trabzon', 1, 5, '0462', ['Ortahisar', 'Akçaabat', 'Of']],
  ['Denizli', 1, 2, '0258', ['Pamukkale', 'Merkezefendi']],
  ['Manisa', 1, 2, '0236', ['Yunusemre', 'Şehzadeler', 'Akhisar']],
  ['Erzurum', 1, 6, '0442', ['Yakutiye', 'Palandöken', 'Aziziye']],
  ['Malatya', 1, 6, '0422', ['Battalgazi', 'Yeşilyurt']],
  ['Van', 1, 6, '0432', ['İpekyolu', 'Tuşba', 'Edremit']],
  ['Sakarya', 1, 1, '0264', ['Adapazarı', 'Serdivan', 'Akyazı']],
  ['Tekirdağ', 1, 1, '0282', ['Süleymanpaşa', 'Çorlu', 'Çerkezköy']],
  ['Muğla', 1, 2, '0252', ['Bodrum', 'Fethiye', 'Menteşe', 'Marmaris']],
  ['Hatay', 1, 3, '0326', ['Antakya', 'İskenderun', 'Defne']],
  ['Ordu', 1, 5, '0452', ['Altınordu', 'Ünye', 'Fatsa']],
];
const TEAM_NAMES = [
  'Müşteri Destek', 'Teknik Destek', 'Fatura ve Tahsilat', 'Satış ve Abonelik', 'Kurumsal Müşteriler', 'Şikâyet Yönetimi', 'Arıza Kayıt', 'Geri Arama',
  'Sosyal Medya', 'E-posta Destek', 'Canlı Sohbet', 'VIP Müşteriler', 'İptal ve Elde Tutma', 'Saha Koordinasyon', 'Kalite Kontrol', 'Ege Bölge Destek',
  'Marmara Bölge Destek', 'Anadolu Bölge Destek', 'Gece Vardiyası', 'Hafta Sonu',
];
const PROJECTS = [
  'Fiber Dönüşüm Projesi', 'Akıllı Sayaç Kurulumu', 'Müşteri Memnuniyeti 2025', 'Dijital Fatura Geçişi', 'Kurumsal Müşteri Programı', 'Altyapı Yenileme',
  'Mobil Uygulama Lansmanı', 'Çağrı Merkezi Dönüşümü', 'Bölgesel Genişleme - Ege', 'Bölgesel Genişleme - Karadeniz', 'Sadakat Programı', 'Yeni Nesil Modem Dağıtımı',
  'E-Devlet Entegrasyonu', 'Kırsal Bağlantı Projesi', 'Enerji Verimliliği', 'Self-Servis Kiosk', 'Okul Bağlantı Projesi', 'Afet Hazırlık Projesi',
  'Veri Merkezi Taşıma', 'KOBİ Destek Programı',
];
const CAMPAIGN_SEASONS: [string, number, number][] = [
  ['Kış Kampanyası', 1, 2], ['Bahar İndirimi', 3, 5], ['Ramazan Kampanyası', 3, 4], ['Yaz Kampanyası', 6, 8], ['Okula Dönüş', 8, 9], ['Sonbahar Fırsatları', 9, 11],
  ['Kasım İndirimleri', 11, 11], ['Yılbaşı Kampanyası', 12, 12],
];
const CAMPAIGN_EVERGREEN = ['Arkadaşını Getir', 'Sadakat İndirimi', 'Öğrenci Tarifesi', 'Emekli Tarifesi', 'Fiber Geçiş İndirimi', 'Kurumsal Paket'];

/** Level 1 categories: subcategories, level 3 nodes under each subcategory, subjects. */
const TREE: { name: string; subs: string[]; leaves: string[]; subjects: string[] }[] = [
  {
    name: 'Şikâyet',
    subs: ['Fatura', 'Hizmet kalitesi', 'Personel tutumu', 'Teknik servis', 'Teslimat', 'Çağrı merkezi'],
    leaves: ['Gecikme', 'Hatalı işlem', 'Tekrarlayan sorun', 'İletişim eksikliği', 'Ücretlendirme', 'Randevu', 'Belge ve evrak', 'Kaba davranış', 'Diğer'],
    subjects: [
      'Faturam olağandışı yüksek geldi', 'Teknisyen randevuya gelmedi', 'Çağrı merkezinde çok uzun süre beklettim', 'Personelin tutumundan memnun değilim',
      'Sipariş ettiğim ürün hâlâ teslim edilmedi', 'Aynı sorun için üçüncü kez arıyorum', 'Şikâyetime geri dönüş yapılmadı', 'Hizmet kesintisi nedeniyle mağduriyet yaşadım',
      'Mağazada yanlış bilgilendirildim', 'Kargo hasarlı teslim edildi', 'Sözleşme dışı ücret yansıtıldı', 'İnternet hızı taahhüt edilenin altında',
    ],
  },
  {
    name: 'Talep',
    subs: ['Abonelik', 'Nakil', 'Randevu', 'Belge talebi', 'Tarife değişikliği', 'Ek hizmet'],
    leaves: ['Bireysel', 'Kurumsal', 'Acil', 'Planlı', 'Online başvuru', 'Mağaza başvurusu', 'Yenileme', 'Değişiklik', 'Diğer'],
    subjects: [
      'Aboneliğimi yeni adresime taşımak istiyorum', 'Kurulum için hafta sonu randevusu rica ediyorum', 'Son üç ayın fatura dökümünü istiyorum',
      'Tarifemi daha uygun bir pakete geçirmek istiyorum', 'İkinci hat için abonelik başvurusu', 'Statik IP tanımlanmasını talep ediyorum',
      'Fatura adresimin güncellenmesini istiyorum', 'Sözleşmemin bir kopyasını istiyorum', 'Otomatik ödeme talimatı vermek istiyorum',
      'Yeni şube için abonelik başvurusu', 'Modem değişimi talep ediyorum',
    ],
  },
  {
    name: 'Bilgi talebi',
    subs: ['Kampanya bilgisi', 'Tarife bilgisi', 'Başvuru durumu', 'Fatura bilgisi', 'Kapsama alanı', 'Genel bilgi'],
    leaves: ['Telefon', 'E-posta', 'Mağaza', 'Web', 'Mevcut müşteri', 'Potansiyel müşteri', 'Kurumsal', 'Bireysel', 'Diğer'],
    subjects: [
      'Kampanya koşulları hakkında bilgi istiyorum', 'Başvurumun hangi aşamada olduğunu öğrenmek istiyorum', 'Adresimde fiber altyapı var mı?',
      'Taahhüt bitiş tarihimi öğrenmek istiyorum', 'Yurt dışı kullanım ücretleri nedir?', 'Cayma bedeli ne kadar?', 'Son ödeme tarihi hakkında bilgi',
      'Öğrenci indirimi koşulları nelerdir?', 'Fatura kalemlerinin açıklaması', 'Mağaza çalışma saatleri hakkında bilgi',
    ],
  },
  {
    name: 'Öneri',
    subs: ['Ürün önerisi', 'Süreç iyileştirme', 'Mobil uygulama', 'Web sitesi', 'Mağaza deneyimi', 'Kampanya önerisi'],
    leaves: ['Kullanılabilirlik', 'Erişilebilirlik', 'Hız', 'Fiyatlandırma', 'İletişim', 'Güvenlik', 'Yeni özellik', 'Tasarım', 'Diğer'],
    subjects: [
      'Mobil uygulamaya fatura itiraz özelliği eklenmeli', 'Şikâyetlerin SMS ile takip edilebilmesi önerisi', 'Web sitesinde canlı destek olmalı',
      'Mağazalarda sıra sistemi iyileştirilmeli', 'Sadık müşterilere özel kampanya önerisi', 'Fatura e-posta ile PDF olarak gönderilmeli',
      'Randevu saatleri akşam saatlerine uzatılmalı', 'Uygulamada karanlık mod olmalı', 'Engelli müşteriler için öncelikli hat önerisi',
    ],
  },
  {
    name: 'Arıza bildirimi',
    subs: ['İnternet kesintisi', 'Cihaz arızası', 'Hat arızası', 'Yavaş bağlantı', 'Sinyal sorunu', 'Altyapı'],
    leaves: ['Tam kesinti', 'Kısmi kesinti', 'Aralıklı', 'Bölgesel', 'Tekil', 'Donanım', 'Yazılım', 'Altyapı', 'Diğer'],
    subjects: [
      'İnternet bağlantısı sık sık kopuyor', 'Modem ışıkları yanıp sönüyor, bağlantı yok', 'Sabit hatta cızırtı var', 'Akşam saatlerinde internet çok yavaşlıyor',
      'Evde cep telefonu çekmiyor', 'Sokaktaki dağıtım kutusu hasarlı', 'Televizyon yayınında görüntü donuyor', 'Modem sürekli yeniden başlıyor',
      'Fiber kablo kopmuş', 'Kablosuz ağ sinyali zayıf',
    ],
  },
  {
    name: 'Fatura itirazı',
    subs: ['Hatalı tahakkuk', 'Çift tahsilat', 'Gecikme bedeli', 'İndirim uygulanmadı', 'Abonelik ücreti', 'Ek hizmet ücreti'],
    leaves: ['Son fatura', 'Geçmiş dönem', 'Tutar farkı', 'Vergi', 'Taksit', 'Kampanya', 'Otomatik ödeme', 'E-fatura', 'Diğer'],
    subjects: [
      'Aynı fatura iki kez tahsil edildi', 'Kampanya indirimi faturaya yansımadı', 'Kullanmadığım ek hizmet ücreti var', 'Gecikme bedeline itiraz ediyorum',
      'İptal ettiğim aboneliğin faturası geldi', 'Faturadaki tüketim gerçek değil', 'Taahhüt cezasına itiraz', 'Otomatik ödemeden fazla tutar çekildi',
      'Vergi tutarı hatalı hesaplanmış',
    ],
  },
  {
    name: 'İptal ve iade',
    subs: ['Abonelik iptali', 'Ürün iadesi', 'Ücret iadesi', 'Sözleşme feshi', 'Cayma hakkı', 'Hesap kapatma'],
    leaves: ['Taşınma', 'Memnuniyetsizlik', 'Fiyat', 'Rakip teklif', 'Vefat', 'Yurt dışına çıkış', 'Ekonomik', 'Teknik yetersizlik', 'Diğer'],
    subjects: [
      'Aboneliğimi iptal etmek istiyorum', 'Hatalı çekilen tutarın iadesini istiyorum', 'Ürünü 14 gün içinde iade etmek istiyorum',
      'Taşındığım için sözleşmemi feshetmek istiyorum', 'Cayma hakkımı kullanmak istiyorum', 'Vefat eden yakınımın aboneliğinin kapatılması',
      'Depozito iadesi yapılmadı', 'İptal talebim işleme alınmadı', 'Hesabımın kapatılmasını istiyorum',
    ],
  },
  {
    name: 'Teşekkür',
    subs: ['Personel teşekkürü', 'Hızlı çözüm', 'Teknik ekip', 'Çağrı merkezi temsilcisi', 'Mağaza', 'Genel memnuniyet'],
    leaves: ['Telefon', 'Yerinde hizmet', 'Mağaza', 'E-posta', 'Sosyal medya', 'Hız', 'İlgi', 'Çözüm', 'Diğer'],
    subjects: [
      'Teknisyen arkadaşa ilgisi için teşekkür ederim', 'Sorunum çok hızlı çözüldü, teşekkürler', 'Çağrı merkezi temsilcisi çok yardımcı oldu',
      'Mağaza personelinin ilgisinden memnun kaldım', 'Uzun süredir yaşadığım sorun nihayet çözüldü', 'Nazik ve çözüm odaklı yaklaşımınız için teşekkürler',
      'Kurulum ekibi çok titiz çalıştı',
    ],
  },
];
/** Level 1 categories whose first level 3 node of each subcategory has level 4 children. */
const DEEP_CATEGORIES = new Set([0, 4]);
const LEVEL4 = ['Bireysel müşteri', 'Kurumsal müşteri'];

const SUBJECT_SUFFIX = ['', '', '', '', '', '', '', '', '', '', '', '', ' (tekrar)', ' - acil dönüş bekleniyor', ' hakkında', ', ikinci başvuru', ' / kurumsal hat', ' - bilgi verilmesi rica ediliyor'];
const DETAIL_INTRO = [
  'Müşteri telefonla aradı ve durumu ayrıntılı olarak anlattı.', 'Müşteri e-posta ile yazdı.', 'Başvuru web formu üzerinden geldi.',
  'Müşteri mağazaya gelerek bildirimde bulundu.', 'Müşteri canlı destek hattından ulaştı.', 'Müşteri sosyal medya hesabımıza mesaj gönderdi.',
  'Kurumsal müşterinin yetkilisi aradı.', 'Müşteri ikinci kez arıyor, önceki görüşme kaydı mevcut.', 'Müşteri oldukça sinirliydi, sakinleştirildi.',
  'Müşteri kibar bir dille durumu aktardı.', 'Müşteri yakını adına arıyor, vekâlet bilgisi istendi.', 'Müşteri SMS ile dönüş yapılmasını rica etti.',
];
/** #N# a small number, #F# an eight-digit number */
const DETAIL_MIDDLE = [
  'Sorun yaklaşık #N# gündür devam ediyor.', 'İlgili fatura numarası FTR#F#.', 'Müşterinin abone numarası teyit edildi.', 'Adres bilgileri sistemdeki kayıtla uyuşuyor.',
  'Müşteri konuyla ilgili ekran görüntüsü gönderdi.', 'Benzer şikâyet bölgedeki diğer abonelerden de geldi.', 'Teknik ekip uzaktan kontrol yaptı, hat üzerinde sorun görünmüyor.',
  'Müşteri tutarın #N#0 TL olduğunu belirtti.', 'Modem yeniden başlatıldı ancak sorun devam ediyor.', 'Kampanya kapsamında indirim tanımlanmamış görünüyor.',
  'Müşteri taahhüt süresinin dolduğunu belirtti.', 'Sipariş numarası SP#F#.', 'Müşteri hafta içi 18:00 sonrası aranmak istiyor.', 'Konu ilgili birime iletildi.',
  'Müşteri daha önce #N# kez aradığını söylüyor.', 'Işıklı göstergelerde sorun var; müşteri cihazı yeniden başlattığını söyledi.',
];
const DETAIL_CLOSING = [
  'Geri dönüş bekliyor.', 'Müşteriye 48 saat içinde dönüş yapılacağı bilgisi verildi.', 'Konu takibe alındı.', 'Müşteri yazılı bilgilendirme talep etti.',
  'Çözüm sonrası memnuniyet araması yapılacak.', 'Müşteri İngilizce değil Türkçe yazılı bilgilendirme istiyor.', 'Acil dönüş rica ediyor.',
  'Müşteri bilgilendirildi, başka talebi yok.', 'İlgili ekip tarafından incelenmesi gerekiyor.', 'Müşteri e-posta adresini güncelledi.',
];
const FOLLOW_UPS = [
  'Müşteri arandı, bilgi verildi.', 'Teknik ekibe iletildi; dönüş bekleniyor.', 'Müşteri çözümden memnun olduğunu belirtti.', 'Müşteriye ulaşılamadı, SMS gönderildi.',
  'Saha ekibi yönlendirildi.', 'Fatura düzeltmesi muhasebeye iletildi.', 'Müşteri ek belge gönderdi, incelendi.', 'Randevu oluşturuldu, müşteriye SMS ile bildirildi.',
  'İade işlemi başlatıldı.', 'Müşteri tekrar aradı, durum hakkında bilgi verildi.', 'Arıza kaydı açıldı.', 'Bölge sorumlusuna e-posta atıldı.', 'Müşterinin talebi onaylandı.',
  'Kampanya tanımı yapıldı, bir sonraki faturaya yansıyacak.', 'Modem değişimi için kargo çıkışı yapıldı.', 'Müşteri şikâyetini geri çekti.',
  'Konu üst yönetime eskale edildi.', 'Ödeme kaydı kontrol edildi, tutar doğru.', 'Müşteriye yazılı bilgilendirme e-postası gönderildi.',
  'Çözüm sonrası memnuniyet araması yapıldı.', 'İlgili birimden yanıt bekleniyor.', 'Müşteri aranmak istemediğini belirtti.',
  'Altyapı çalışması nedeniyle gecikme yaşanıyor, müşteri bilgilendirildi.', 'Hatalı tahakkuk iptal edildi.', 'Müşteri ile görüşüldü, ek süre talep etti.',
];
const FOLLOW_UP_EXTRA = [' Bir sonraki arama yarın yapılacak.', ' Müşteri teşekkür etti.', ' Kayıtlara not düşüldü.', ' Ekip lideri bilgilendirildi.'];
const TIME_NOTES = ['Telefon görüşmesi', 'E-posta yazışması', 'Kayıt inceleme', 'Saha koordinasyonu', 'Fatura kontrolü', 'Müşteri geri araması', 'Birimler arası yazışma', 'Rapor hazırlama', 'Sistem kaydı güncelleme', 'Teknik analiz'];
const SERVICE_INDIVIDUAL = ['Ev interneti', 'Mobil hat', 'Ev telefonu', 'TV paketi', 'Fiber internet'];
const SERVICE_COMPANY = ['Kurumsal fiber', 'Merkez hattı', 'Şube hattı', 'Data hattı', 'Kurumsal mobil paket'];

// ---------------------------------------------------------------- SQL helpers

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const textArr = (xs: string[]) => `(ARRAY[${xs.map(lit).join(',')}]::text[])`;
const intArr = (xs: number[]) => `(ARRAY[${xs.join(',')}]::int[])`;
/** A uniform number in [0, 1) from (key, purpose): a hash, so independent of evaluation order. */
const U = (key: string, salt: number) => `seed.u(${key}, ${salt})`;
/** One of xs, uniformly by the uniform expression u. */
const pick = (xs: string[], u: string) => `${textArr(xs)}[1 + floor((${u}) * ${xs.length})::int]`;
const pickInt = (xs: number[], u: string) => `${intArr(xs)}[1 + floor((${u}) * ${xs.length})::int]`;
/** Expands { value: weight } into an array, picked uniformly. */
function weighted<T extends string | number>(entries: [T, number][]): T[] {
  return entries.flatMap(([v, w]) => Array<T>(w).fill(v));
}
const ascii = (x: string) => `replace(tr_fold(${x}), ' ', '')`;

// ---------------------------------------------------------------- progress

class Progress {
  private phase = '';
  private done = 0;
  private total = 1;
  private unit = '';
  private readonly started = Date.now();
  private phaseStarted = Date.now();
  private lastDraw = 0;
  private readonly tty = process.stderr.isTTY;
  private lastPct = -1;

  start(phase: string, total: number, unit = 'rows') {
    this.finish();
    this.phase = phase;
    this.done = 0;
    this.total = Math.max(1, Math.round(total));
    this.unit = unit;
    this.phaseStarted = Date.now();
    this.lastPct = -1;
    this.draw(true);
  }

  add(n: number) {
    this.done = Math.min(this.total, this.done + Math.round(n));
    this.draw(false);
  }

  finish() {
    if (!this.phase) return;
    this.done = this.total;
    this.draw(true);
    if (this.tty) process.stderr.write('\n');
    this.phase = '';
  }

  private draw(force: boolean) {
    const now = Date.now();
    const pct = Math.min(100, Math.floor((100 * this.done) / this.total));
    if (this.tty) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((width * pct) / 100);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      process.stderr.write(`\r  ${this.phase.padEnd(22)} ${bar} ${String(pct).padStart(3)}%  ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${this.unit}  ${((now - this.phaseStarted) / 1000).toFixed(1)}s (total ${((now - this.started) / 1000).toFixed(0)}s)   `);
    } else {
      // Not a terminal: one line per 25%.
      const step = Math.floor(pct / 25) * 25;
      if (step === this.lastPct) return;
      this.lastPct = step;
      process.stderr.write(`  ${this.phase.padEnd(22)} ${String(pct).padStart(3)}%  ${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} ${this.unit}  ${((now - this.phaseStarted) / 1000).toFixed(1)}s\n`);
    }
  }
}

// ---------------------------------------------------------------- work pool

type Task = { label: string; sql: string | string[]; weight: number; table?: string; after?: string | string[] };

/** Runs tasks on the connections, in order, a task with `after` only once that task is done. */
async function runPool(clients: pg.Client[], tasks: Task[], progress: Progress, timings?: Map<string, number>) {
  const queue = [...tasks];
  const done = new Set<string>();
  let failed = false;
  let wake: (() => void)[] = [];
  const next = async (): Promise<Task | null> => {
    for (;;) {
      if (failed || !queue.length) return null;
      const i = queue.findIndex((t) => !t.after || (Array.isArray(t.after) ? t.after.every((a) => done.has(a)) : done.has(t.after)));
      if (i >= 0) return queue.splice(i, 1)[0];
      await new Promise<void>((r) => wake.push(r));
    }
  };
  await Promise.all(
    clients.map(async (client) => {
      for (;;) {
        const task = await next();
        if (!task) return;
        const t0 = Date.now();
        for (const sql of Array.isArray(task.sql) ? task.sql : [task.sql]) {
          try {
            await client.query(sql);
          } catch (err) {
            failed = true;
            wake.forEach((w) => w());
            (err as Error).message = `${task.label}: ${(err as Error).message}\n${sql.slice(0, 2000)}`;
            throw err;
          }
        }
        timings?.set(task.label, Date.now() - t0);
        progress.add(task.weight);
        done.add(task.label);
        const w = wake;
        wake = [];
        w.forEach((f) => f());
      }
    }),
  );
}

function chunks(total: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = 1; lo <= total; lo += size) out.push([lo, Math.min(total, lo + size - 1)]);
  return out;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// ---------------------------------------------------------------- the seed

const LOADED = ['accounts', 'contacts', 'subscriptions', 'applications', 'follow_ups', 'time_entries'];

export async function seedBulk(o: Options): Promise<void> {
  const t0 = Date.now();
  const dbName = decodeURIComponent(new URL(o.url).pathname.replace(/^\//, ''));
  if (!dbName) usage('BENCH_DATABASE_URL names no database');
  if (!/bench/i.test(dbName) && !o.force) usage(`refusing to drop "${dbName}": the name does not contain "bench" (pass --force to insist)`);

  const N = o.applications;
  const scale = N / 1_000_000;
  const A = Math.max(50, Math.round(50_000 * scale)); // accounts
  const CT = Math.max(A, Math.round(120_000 * scale)); // contacts
  const SU = A + Math.round(10_000 * scale); // subscriptions
  const NT = 20; // teams
  const APT = 9; // agents per team
  const NA = NT * APT; // agents
  const DAYS = 1095; // three years
  const until = o.until;
  const start = new Date(until.getTime() - DAYS * 86_400_000);
  const UNTIL = `timestamptz ${lit(until.toISOString())}`;
  const START = `timestamptz ${lit(start.toISOString())}`;

  process.stderr.write(
    `seed:bulk → ${o.url.replace(/:[^:@/]*@/, ':***@')}\n  ${N.toLocaleString('en-US')} applications, ${A.toLocaleString('en-US')} accounts, ${CT.toLocaleString('en-US')} contacts, seed ${o.seed}, ` +
      `dates ${start.toISOString().slice(0, 10)} .. ${until.toISOString().slice(0, 10)}, ${o.workers} connections\n`,
  );
  const progress = new Progress();

  // 1. A fresh database, migrated and bootstrapped by the server itself.
  progress.start('database + migrations', 3, 'steps');
  const admin = new pg.Client({ connectionString: withDatabase(o.url, 'postgres') });
  await admin.connect();
  await admin.query(`drop database if exists "${dbName.replace(/"/g, '""')}" with (force)`);
  await admin.query(`create database "${dbName.replace(/"/g, '""')}"`);
  await admin.end();
  progress.add(1);
  process.env.LOG_LEVEL ||= 'warn';
  const { startApp } = require('../api/app') as AppModule;
  const { parseConfig } = require('../api/config') as ConfigModule;
  const { hashPassword } = require('../modules/identity/services/auth.service') as AuthModule;
  const passwordHash = await hashPassword(o.password);
  const config = parseConfig({
    NODE_ENV: 'production',
    DATABASE_URL: o.url,
    PORT: '0',
    HOST: '127.0.0.1',
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: 'admin@bench.local',
    ADMIN_PASSWORD: o.password,
    SERVE_BACKOFFICE: 'false',
  });
  const app = await startApp(config);
  progress.add(1);
  await app.stop();
  progress.add(1);

  // 2. Connections for the load.
  const clients: pg.Client[] = [];
  for (let i = 0; i < o.workers; i++) {
    const c = new pg.Client({ connectionString: o.url, application_name: `seed-bulk-${i}` });
    await c.connect();
    await c.query(`set synchronous_commit = off; set timezone = 'UTC'; set maintenance_work_mem = '1GB'; set work_mem = '64MB'; set max_parallel_maintenance_workers = 0; set jit = off; set gin_pending_list_limit = '32MB'`);
    clients.push(c);
  }
  const db = clients[0];
  const q = async <R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows;

  await q(`create schema seed`);
  await q(`create function seed.u(k bigint, salt int) returns float8 language sql immutable parallel safe
           as $$ select (hashint8extended($1 * 128 + $2, ${o.seed}) & 9007199254740991)::float8 / 9007199254740992.0 $$`);

  // Reference rows from the bootstrap.
  const roleId = new Map((await q<{ key: string; id: number }>(`select key, id from roles where key is not null`)).map((r) => [r.key, r.id]));
  const stages = new Map((await q<{ name: string; id: number }>(`select name, id from process_stages`)).map((r) => [r.name, r.id]));
  const priorities = new Map((await q<{ name: string; id: number }>(`select name, id from priorities`)).map((r) => [r.name, r.id]));
  const channels = new Map((await q<{ code: string; id: number }>(`select code, id from contact_channels`)).map((r) => [r.code, r.id]));
  const need = <K, V>(m: Map<K, V>, k: K): V => {
    const v = m.get(k);
    if (v === undefined) throw new Error(`bootstrap did not create ${String(k)}`);
    return v;
  };
  const [{ max: adminId }] = await q<{ max: number }>(`select max(id)::int as max from users`);

  // 3. Drop secondary indexes, unique constraints and foreign keys of the big tables.
  const indexes = await q<{ name: string; table: string; def: string; conname: string | null; condef: string | null }>(
    `select ic.relname as name, t.relname as "table", pg_get_indexdef(i.indexrelid) as def, c.conname, pg_get_constraintdef(c.oid) as condef
       from pg_index i join pg_class t on t.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
       left join pg_constraint c on c.conindid = i.indexrelid and c.contype = 'u'
      where t.relname = any($1) and not i.indisprimary and t.relnamespace = 'public'::regnamespace`,
    [LOADED],
  );
  const fks = await q<{ name: string; table: string; def: string }>(
    `select conname as name, conrelid::regclass::text as "table", pg_get_constraintdef(oid) as def
       from pg_constraint where contype = 'f' and conrelid::regclass::text = any($1)`,
    [LOADED],
  );
  for (const f of fks) await q(`alter table "${f.table}" drop constraint "${f.name}"`);
  // The dashboard rollups are rebuilt once after the load (step 8) instead of row by row.
  await q(`alter table applications disable trigger applications_stats`);
  await q(`alter table time_entries disable trigger time_entries_stats`);
  // The trigram GIN index of applications stays: building it afterwards is one long single-core
  // job (tr_fold and trigram extraction dominate), while during the load every connection
  // shares that work. The GiST index is built afterwards, alongside the b-trees.
  const keep = (i: { table: string; def: string }) => i.table === 'applications' && /gin_trgm_ops/.test(i.def);
  for (const i of indexes.filter((x) => !keep(x))) await q(i.conname ? `alter table "${i.table}" drop constraint "${i.conname}"` : `drop index "${i.name}"`);
  const rebuilt = indexes.filter((x) => !keep(x));

  // 4. Small tables: users, teams, regions, branches, projects, campaigns, categories.
  progress.start('users, teams, reference', 1, 'steps');
  const LEADER0 = adminId + 1;
  const AGENT0 = LEADER0 + NT;
  const h = (n: number, salt: number) => {
    // the same hash as seed.u, on the client side, for the few rows built here
    let x = (Math.imul(n ^ (o.seed * 0x9e3779b1), 0x85ebca6b) ^ (salt * 0xc2b2ae35)) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
    return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
  };
  const personName = (n: number) => `${FIRST[Math.floor(h(n, 1) * FIRST.length)]} ${LAST[Math.floor(h(n, 2) * LAST.length)]}`;
  const userRows: string[] = [];
  const createdAt = lit(new Date(start.getTime() - 30 * 86_400_000).toISOString());
  for (let t = 0; t < NT; t++) {
    const id = LEADER0 + t;
    userRows.push(`(${id}, ${createdAt}, ${createdAt}, 1, ${lit(personName(id))}, ${lit(`lider${String(t + 1).padStart(2, '0')}@bench.local`)}, ${lit(`+90 53${t % 10} ${String(100 + t).padStart(3, '0')} 10 ${String(10 + t).padStart(2, '0')}`)}, true, ${lit(passwordHash)})`);
  }
  for (let k = 0; k < NA; k++) {
    const id = AGENT0 + k;
    userRows.push(`(${id}, ${createdAt}, ${createdAt}, 1, ${lit(personName(id))}, ${lit(`temsilci${String(k + 1).padStart(3, '0')}@bench.local`)}, ${lit(`+90 54${k % 10} ${String(200 + k).padStart(3, '0')} 20 ${String(10 + (k % 90)).padStart(2, '0')}`)}, true, ${lit(passwordHash)})`);
  }
  await q(`insert into users (id, created_at, updated_at, version, name, email, phone, active, password_hash) values ${userRows.join(',')}`);
  await q(`insert into user_roles (user_id, role_id) select g, ${need(roleId, 'team_leader')} from generate_series(${LEADER0}, ${AGENT0 - 1}) g
           union all select g, ${need(roleId, 'agent')} from generate_series(${AGENT0}, ${AGENT0 + NA - 1}) g`);
  await q(`insert into teams (id, created_at, updated_at, version, name, description, leader_id, active) values ${TEAM_NAMES.map(
    (n, t) => `(${t + 1}, ${createdAt}, ${createdAt}, 1, ${lit(`${n} Ekibi`)}, ${lit(`${n} konularında çağrı merkezi ekibi`)}, ${LEADER0 + t}, true)`,
  ).join(',')}`);
  await q(`insert into team_members (team_id, user_id) select 1 + (g - ${AGENT0}) / ${APT}, g from generate_series(${AGENT0}, ${AGENT0 + NA - 1}) g`);
  await q(`insert into regions (id, created_at, updated_at, version, name, responsible_id, active) values ${REGIONS.map((r, i) => `(${i + 1}, ${createdAt}, ${createdAt}, 1, ${lit(r)}, ${LEADER0 + i}, true)`).join(',')}`);
  const branchRows: string[] = [];
  for (const [city, , , area, districts] of CITIES) {
    for (const d of districts.slice(0, city === 'İstanbul' ? 4 : city === 'Ankara' || city === 'İzmir' ? 2 : 1)) {
      if (branchRows.length >= 30) break;
      const n = branchRows.length + 1;
      branchRows.push(`(${n}, ${createdAt}, ${createdAt}, 1, ${lit(`${d} Şubesi`)}, ${n * 10}, true, ${lit(`SB-${String(n).padStart(3, '0')}`)}, ${lit(city)}, ${lit(`${area} ${String(300 + n * 7).slice(0, 3)} ${String(10 + n).padStart(2, '0')} ${String(20 + n).padStart(2, '0')}`)})`);
    }
  }
  await q(`insert into branches (id, created_at, updated_at, version, name, sort_order, active, code, city, phone) values ${branchRows.join(',')}`);
  const NB = branchRows.length;
  await q(`insert into projects (id, created_at, updated_at, version, name, sort_order, active, code, description, start_date, end_date) values ${PROJECTS.map((p, i) => {
    const s = new Date(start.getTime() + Math.floor(h(i, 7) * (DAYS - 200)) * 86_400_000);
    const e = new Date(s.getTime() + (120 + Math.floor(h(i, 8) * 500)) * 86_400_000);
    return `(${i + 1}, ${createdAt}, ${createdAt}, 1, ${lit(p)}, ${(i + 1) * 10}, ${e > until ? 'true' : 'false'}, ${lit(`PRJ-${String(i + 1).padStart(2, '0')}`)}, ${lit(`${p} kapsamındaki başvurular`)}, ${lit(s.toISOString().slice(0, 10))}, ${lit(e.toISOString().slice(0, 10))})`;
  }).join(',')}`);
  const NP = PROJECTS.length;
  const campaignRows: string[] = [];
  const y0 = start.getUTCFullYear();
  for (let y = y0; y <= until.getUTCFullYear() && campaignRows.length < 24; y++) {
    for (const [name, m1, m2] of CAMPAIGN_SEASONS) {
      if (campaignRows.length >= 24) break;
      const s = `${y}-${String(m1).padStart(2, '0')}-01`;
      const e = new Date(Date.UTC(y, m2, 0)).toISOString().slice(0, 10);
      const n = campaignRows.length + 1;
      campaignRows.push(`(${n}, ${createdAt}, ${createdAt}, 1, ${lit(`${name} ${y}`)}, ${n * 10}, ${new Date(`${e}T00:00:00Z`) >= until ? 'true' : 'false'}, ${lit(`KMP-${y}-${String(m1).padStart(2, '0')}`)}, null, ${lit(s)}, ${lit(e)})`);
    }
  }
  for (const name of CAMPAIGN_EVERGREEN) {
    const n = campaignRows.length + 1;
    campaignRows.push(`(${n}, ${createdAt}, ${createdAt}, 1, ${lit(name)}, ${n * 10}, true, ${lit(`KMP-S${n}`)}, ${lit(`${name} (süresiz)`)}, null, null)`);
  }
  await q(`insert into campaigns (id, created_at, updated_at, version, name, sort_order, active, code, description, start_date, end_date) values ${campaignRows.join(',')}`);
  const NC = campaignRows.length;

  // Category tree: 8 categories, 48 subcategories, 432 level 3 nodes, 24 level 4 nodes.
  const catRows: string[] = [];
  let catId = 0;
  const subIds: number[] = [];
  const subCat: number[] = [];
  const subCatIdx: number[] = [];
  const l3Ids: number[] = [];
  const l4First: number[] = [];
  const addCat = (name: string, parent: number | null, level: number, order: number) => {
    catId++;
    catRows.push(`(${catId}, ${createdAt}, ${createdAt}, 1, ${lit(name)}, ${parent ?? 'null'}, ${level}, ${order}, true)`);
    return catId;
  };
  const catIds = TREE.map((c, i) => addCat(c.name, null, 1, (i + 1) * 10));
  TREE.forEach((c, ci) => {
    c.subs.forEach((s, si) => {
      const sid = addCat(s, catIds[ci], 2, (si + 1) * 10);
      subIds.push(sid);
      subCat.push(catIds[ci]);
      subCatIdx.push(ci);
    });
  });
  TREE.forEach((c, ci) => {
    c.subs.forEach((_s, si) => {
      const sid = subIds[ci * c.subs.length + si];
      c.leaves.forEach((leaf, li) => {
        const lid = addCat(leaf, sid, 3, (li + 1) * 10);
        l3Ids.push(lid);
        l4First.push(0);
        if (li === 0 && DEEP_CATEGORIES.has(ci)) {
          l4First[l4First.length - 1] = catId + 1;
          LEVEL4.forEach((n, i) => addCat(n, lid, 4, (i + 1) * 10));
        }
      });
    });
  });
  // level 4 rows were added right after their parent, so ids stay in insertion order
  await q(`insert into categories (id, created_at, updated_at, version, name, parent_id, level, sort_order, active) values ${catRows.join(',')}`);
  const NSUB = subIds.length;
  const NLEAF = TREE[0].leaves.length;
  progress.add(1);

  // 5. Accounts, then contacts, subscriptions and applications, then follow-ups and time entries.
  const cityIdx = weighted(CITIES.map((c, i) => [i + 1, c[1]] as [number, number]));
  const distOff: number[] = [];
  const distCnt: number[] = [];
  const districts: string[] = [];
  for (const c of CITIES) {
    distOff.push(districts.length);
    distCnt.push(c[4].length);
    districts.push(...c[4]);
  }
  const KC = Math.floor((A - 3) / 10) + 1;
  /** A company account (ids ending in 1, 2 or 3 are companies). */
  const companyOf = (k: string) => `(10 * floor(${U(k, 3)} * ${KC})::int + 1 + floor(${U(k, 4)} * 3)::int)`;
  const mobile = (k: string, s: number) => {
    const op = `(30 + floor(${U(k, s)} * 26))::int::text`;
    const m7 = `lpad(floor(${U(k, s + 1)} * 10000000)::int::text, 7, '0')`;
    return { text: `'05' || ${op} || ' ' || substr(${m7}, 1, 3) || ' ' || substr(${m7}, 4, 2) || ' ' || substr(${m7}, 6, 2)`, key: `'5' || ${op} || ${m7}` };
  };

  const accountsSql = (lo: number, hi: number) => {
    const m = mobile('g', 20);
    const land7 = `lpad(floor(${U('g', 22)} * 10000000)::int::text, 7, '0')`;
    const land = `c.area || ' ' || substr(${land7}, 1, 3) || ' ' || substr(${land7}, 4, 2) || ' ' || substr(${land7}, 6, 2)`;
    const landKey = `substr(c.area, 2) || ${land7}`;
    return `insert into accounts (id, created_at, updated_at, version, kind, name, tax_number, tax_office, identity_number, phones, phone_keys, emails, address, city, district, region_id, extra, active, archived_at)
      select g, x.created, x.created, 1,
        case when x.company then 'COMPANY' else 'INDIVIDUAL' end::account_kind,
        case when x.company then nm.company else nm.first || ' ' || nm.last end,
        case when x.company then lpad(floor(${U('g', 5)} * 9999999999)::bigint::text, 10, '0') end,
        case when x.company then c.district || ' Vergi Dairesi' end,
        case when not x.company then (1 + floor(${U('g', 6)} * 9))::int::text || lpad(floor(${U('g', 7)} * 9999999999)::bigint::text, 10, '0') end,
        case when x.company and ${U('g', 23)} < 0.5 then array[${land}, ${m.text}] when x.company then array[${land}] else array[${m.text}] end,
        case when x.company and ${U('g', 23)} < 0.5 then array[${landKey}, ${m.key}] when x.company then array[${landKey}] else array[${m.key}] end,
        case when x.company then array['info@' || ${ascii('nm.brand')} || '.com.tr']
             when ${U('g', 24)} < 0.6 then array[${ascii('nm.first')} || '.' || ${ascii('nm.last')} || case when ${U('g', 25)} < 0.5 then floor(${U('g', 26)} * 99)::int::text else '' end || '@' || ${pick(DOMAINS, U('g', 27))}]
             else '{}'::text[] end,
        ${pick(MAHALLE, U('g', 30))} || ' Mah. ' || ${pick(SOKAK, U('g', 31))} || ' Sok. No: ' || (1 + floor(${U('g', 32)} * 120))::int
          || case when ${U('g', 33)} < 0.6 then ' D: ' || (1 + floor(${U('g', 34)} * 30))::int else '' end || ' ' || c.district || '/' || c.city,
        c.city, c.district, c.region, '{}'::jsonb, ${U('g', 35)} >= 0.01, null
      from generate_series(${lo}, ${hi}) g
      cross join lateral (select (g % 10) between 1 and 3 as company, ${START} - ${U('g', 1)} * interval '730 days' as created) x
      cross join lateral (select ${intArr(cityIdx)}[1 + floor(${U('g', 2)} * ${cityIdx.length})::int] as i) ci
      cross join lateral (select ${textArr(CITIES.map((c) => c[0]))}[ci.i] as city, ${intArr(CITIES.map((c) => c[2]))}[ci.i] as region, ${textArr(CITIES.map((c) => c[3]))}[ci.i] as area,
                                 ${textArr(districts)}[${intArr(distOff)}[ci.i] + 1 + floor(${U('g', 3)} * ${intArr(distCnt)}[ci.i])::int] as district) c
      cross join lateral (select ${pick(FIRST, U('g', 10))} as first, ${pick(LAST, U('g', 11))} as last,
                                 case when ${U('g', 12)} < 0.5 then ${pick(COMPANY_PREFIX, U('g', 13))} else ${pick(LAST, U('g', 14))} end || ' ' || ${pick(SECTOR, U('g', 15))} as brand) n0
      cross join lateral (select n0.first, n0.last, n0.brand, n0.brand || ' ' || ${pick(COMPANY_TYPE, U('g', 16))} as company) nm`;
  };

  const contactsSql = (lo: number, hi: number) => {
    const m = mobile('c', 40);
    return `insert into contacts (id, created_at, updated_at, version, account_id, first_name, last_name, title, phone, email, extra, active, archived_at)
      select c, acc.created_at, acc.created_at, 1, acc.id, p.first, p.last,
        case when acc.kind = 'COMPANY' then ${pick(TITLES, U('c', 43))} end,
        case when acc.kind = 'INDIVIDUAL' and c <= ${A} and cardinality(acc.phones) > 0 then acc.phones[1] else ${m.text} end,
        case when acc.kind = 'COMPANY' then ${ascii('p.first')} || '.' || ${ascii('p.last')} || '@' || split_part(acc.emails[1], '@', 2)
             else acc.emails[1] end,
        '{}'::jsonb, true, null
      from generate_series(${lo}, ${hi}) c
      join accounts acc on acc.id = case when c <= ${A} then c else ${companyOf('c')} end
      cross join lateral (select case when acc.kind = 'INDIVIDUAL' and c <= ${A} then split_part(acc.name, ' ', 1) else ${pick(FIRST, U('c', 41))} end as first,
                                 case when acc.kind = 'INDIVIDUAL' and c <= ${A} then substr(acc.name, strpos(acc.name, ' ') + 1) else ${pick(LAST, U('c', 42))} end as last) p`;
  };

  const subscriptionsSql = (lo: number, hi: number) => `insert into subscriptions (id, created_at, updated_at, version, account_id, number, name, address, start_date, end_date, active, archived_at)
      select s, acc.created_at, acc.created_at, 1, acc.id, 'AB-' || lpad(s::text, 8, '0'),
        case when acc.kind = 'COMPANY' then ${pick(SERVICE_COMPANY, U('s', 50))} else ${pick(SERVICE_INDIVIDUAL, U('s', 51))} end,
        acc.address, d.sd, d.ed, d.ed is null or d.ed > ${UNTIL}::date, null
      from generate_series(${lo}, ${hi}) s
      join accounts acc on acc.id = case when s <= ${A} then s else ${companyOf('s')} end
      cross join lateral (select (acc.created_at + ${U('s', 52)} * interval '365 days')::date as sd) d0
      cross join lateral (select d0.sd, case when ${U('s', 53)} < 0.15 then d0.sd + 730 end as ed) d`;

  // Applications: id order is date order (as a serial id would be); density rises 1 → 3 over the three years.
  const tExpr = `(${DAYS}::float8 * (sqrt(1 + 8 * (g::float8 - 0.5) / ${N}::float8) - 1) / 2)`;
  const tsExpr = `(${START} + floor(v.t) * interval '1 day' + (5 + 12 * (v.t - floor(v.t))) * interval '1 hour')`;
  const yearsRows = await q<{ y: number; first: string; last: string }>(
    `select extract(year from ${tsExpr})::int as y, min(g)::bigint as first, max(g)::bigint as last
       from generate_series(1, ${N}) g cross join lateral (select ${tExpr} as t) v group by 1 order by 1`,
  );
  const years = yearsRows.map((r) => ({ y: r.y, first: Number(r.first), last: Number(r.last) }));
  const yearCase = `case ${years
    .slice()
    .reverse()
    .map((r) => `when g >= ${r.first} then ${r.y}`)
    .join(' ')} end`;
  const firstCase = `case ${years
    .slice()
    .reverse()
    .map((r) => `when g >= ${r.first} then ${r.first}`)
    .join(' ')} end`;
  const openStages = weighted<number>([
    [need(stages, 'Açık'), 7],
    [need(stages, 'Talep alındı'), 5],
    [need(stages, 'İşlemde'), 6],
    [need(stages, 'Bilgi verildi'), 2],
  ]);
  const initialStage = need(stages, 'Açık');
  const prio = weighted<number>([
    [need(priorities, 'Düşük'), 4],
    [need(priorities, 'Normal'), 12],
    [need(priorities, 'Yüksek'), 3],
    [need(priorities, 'Acil'), 1],
  ]);
  const chan = weighted<number>([
    [need(channels, 'phone'), 9],
    [need(channels, 'email'), 4],
    [need(channels, 'sms'), 1],
    [need(channels, 'chat'), 2],
    [need(channels, 'web_form'), 2],
    [need(channels, 'walk_in'), 1],
    [need(channels, 'social'), 1],
  ]);
  const subjOff: number[] = [];
  const subjCnt: number[] = [];
  const subjFlat: string[] = [];
  for (const c of TREE) {
    subjOff.push(subjFlat.length);
    subjCnt.push(c.subjects.length);
    subjFlat.push(...c.subjects);
  }
  const middle = (salt: number) =>
    `replace(replace(${pick(DETAIL_MIDDLE, U('g', salt))}, '#N#', (2 + floor(${U('g', salt + 1)} * 28))::int::text), '#F#', lpad(floor(${U('g', salt + 2)} * 100000000)::int::text, 8, '0'))`;
  // A few accounts apply a lot, most rarely: applicant rank ~ (e^(8u) - 1) / (e^8 - 1), ranks scattered over ids.
  const PERM = [7919, 7927, 7933, 7937, 7949].find((p) => A % p !== 0)!;
  // Follow-ups and time entries per application: 0-6 (mean 3) and 0-4 (mean 2); fewer for the
  // last few days' applications, whose work has only begun (and so no one logs a 30-hour day).
  const young = (k: string) => `least(1, (${DAYS} - ${DAYS}::float8 * (sqrt(1 + 8 * ((${k})::float8 - 0.5) / ${N}::float8) - 1) / 2) / 5)`;
  const fcExpr = (k: string) => `floor(7 * ${U(k, 60)} * ${young(k)})::int`;
  const tcExpr = (k: string) => `floor(5 * ${U(k, 62)} * ${young(k)})::int`;
  const minutesExpr = (k: string, j: string) => `(5 + floor(41 * ${U(`(${k}) * 8 + ${j}`, 61)}))::int`;

  // Each level computes its values once (offset 0 keeps the planner from inlining them into every use).
  const applicationsSql = (lo: number, hi: number) => `insert into applications (id, created_at, updated_at, version, number, applicant_id, reporter_id, branch_id, priority_id, stage_id, category_id, subcategory_id, tree_category_id, channel_id, reference_no, application_date, acceptance_date, assignee_user_id, assignee_team_id, assignee_everyone, responsible_id, project_id, campaign_id, subscription_id, extra, subject, detail, created_by_id, closed_at, follow_up_count, time_spent_minutes, archived_at)
      select g, ts, coalesce(closed_at, ts),
        1 + fc + tc + case when closed then 2 when stage = ${initialStage} then 0 else 1 end,
        yr::text || '-' || case when g - yfirst + 1 < 1000000 then lpad((g - yfirst + 1)::text, 6, '0') else (g - yfirst + 1)::text end,
        applicant,
        case when ${U('g', 80)} < 0.75 then applicant end,
        case when ${U('g', 73)} < 0.7 then 1 + floor(${NB} * power(${U('g', 74)}, 1.5))::int end,
        ${pickInt(prio, U('g', 13))},
        stage, category, sub, tree,
        ${pickInt(chan, U('g', 14))},
        case when ${U('g', 50)} < 0.25 then ${pick(['CRM', 'WEB', 'EPS', 'SMS', 'MGZ'], U('g', 51))} || '-' || yr || '-' || lpad(floor(${U('g', 52)} * 1000000)::int::text, 6, '0') end,
        ts,
        case when ${U('g', 71)} < 0.9 then ts + least(${U('g', 72)} * 90, age * 1440) * interval '1 minute' end,
        usr, team, everyone,
        case when ${U('g', 31)} < 0.6 then ${LEADER0} + floor(${U('g', 32)} * ${NT})::int end,
        case when ${U('g', 75)} < 0.15 then 1 + floor(${U('g', 76)} * ${NP})::int end,
        case when ${U('g', 77)} < 0.10 then 1 + floor(${U('g', 78)} * ${NC})::int end,
        case when ${U('g', 79)} < 0.6 then applicant end,
        '{}'::jsonb,
        ${textArr(subjFlat)}[${intArr(subjOff)}[ci + 1] + 1 + floor(${U('g', 45)} * ${intArr(subjCnt)}[ci + 1])::int] || ${pick(SUBJECT_SUFFIX, U('g', 46))},
        case when ${U('g', 47)} < 0.92 then ${pick(DETAIL_INTRO, U('g', 48))} || ' ' || ${middle(53)}
          || case when ${U('g', 49)} < 0.25 then ' ' || ${middle(56)} else '' end
          || case when ${U('g', 59)} < 0.5 then ' ' || ${pick(DETAIL_CLOSING, U('g', 58))} else '' end end,
        ${AGENT0} + floor(${U('g', 30)} * ${NA})::int,
        closed_at,
        fc, tm,
        case when ${U('g', 70)} < 0.003 then least(coalesce(closed_at, ts) + interval '1 day', ${UNTIL}) end
      from (
        select l4.*,
          case when closed then case when ${U('g', 11)} < 0.75 then ${need(stages, 'Çözüldü')} else ${need(stages, 'Kapatıldı')} end else ${pickInt(openStages, U('g', 15))} end as stage,
          case when closed then ts + least(-ln(1 - ${U('g', 12)}) * 72, age * 23.5) * interval '1 hour' end as closed_at,
          case when r < 0.45 then ${AGENT0} + ak end as usr,
          case when r < 0.45 and ${U('g', 23)} < 0.3 then 1 + ak / ${APT} when r >= 0.45 and r < 0.75 then 1 + floor(${U('g', 22)} * ${NT})::int end as team,
          r >= 0.75 and r < 0.85 as everyone,
          ${intArr(subCatIdx)}[s + 1] as ci, ${intArr(subCat)}[s + 1] as category,
          case when lv >= 0.08 then ${intArr(subIds)}[s + 1] end as sub,
          case when lv < 0.28 then null
               when ${intArr(l4First)}[s * ${NLEAF} + leaf + 1] > 0 and ${U('g', 43)} < 0.5 then ${intArr(l4First)}[s * ${NLEAF} + leaf + 1] + floor(${U('g', 44)} * 2)::int
               else ${intArr(l3Ids)}[s * ${NLEAF} + leaf + 1] end as tree
        from (
          select l3.*,
            ${U('g', 10)} < 0.95 * (1 - exp(-age / 20)) as closed,
            1 + ((floor(${A} * (exp(8 * ${U('g', 1)}) - 1) / (exp(8::float8) - 1))::bigint * ${PERM}) % ${A})::int as applicant,
            ${U('g', 20)} as r, floor(${U('g', 21)} * ${NA})::int as ak,
            (floor(${NSUB} * power(${U('g', 40)}, 1.6))::int * 29) % ${NSUB} as s, ${U('g', 41)} as lv, floor(${NLEAF} * power(${U('g', 42)}, 1.4))::int as leaf,
            ${fcExpr('g')} as fc,
            (select coalesce(sum(${minutesExpr('g', 'j')}), 0) from generate_series(1, tc) j)::int as tm,
            ${yearCase} as yr, ${firstCase} as yfirst
          from (
            select l2.*, extract(epoch from ${UNTIL} - ts)::float8 / 86400 as age, ${tcExpr('g')} as tc
            from (select g, ${tsExpr} as ts from (select g, ${tExpr} as t from generate_series(${lo}::bigint, ${hi}::bigint) g offset 0) v offset 0) l2
            offset 0
          ) l3
          offset 0
        ) l4
        offset 0
      ) x`;

  /** An agent of the assignee team, or the assignee, or anyone. */
  const worker = (k: string, salt: number) =>
    `coalesce(assignee_user_id, case when assignee_team_id is not null then ${AGENT0} + (assignee_team_id - 1) * ${APT} + floor(${U(k, salt)} * ${APT})::int else ${AGENT0} + floor(${U(k, salt + 1)} * ${NA})::int end)`;

  const followUpsSql = (lo: number, hi: number, base: number) => `insert into follow_ups (id, created_at, updated_at, version, application_id, author_id, noted_at, text, edited_at)
      select ${base} + off + j, t, coalesce(edited, t), case when edited is null then 1 else 2 end, id, ${worker('id * 8 + j', 81)}, t,
        ${pick(FOLLOW_UPS, U('id * 8 + j', 83))} || case when ${U('id * 8 + j', 84)} < 0.3 then ${pick(FOLLOW_UP_EXTRA, U('id * 8 + j', 85))} else '' end,
        edited
      from (
        select n.*, case when ${U('id * 8 + j', 87)} < 0.02 then t + interval '1 hour' end as edited
        from (
          select a.id, a.off, a.assignee_user_id, a.assignee_team_id, j,
                 a.application_date + (coalesce(a.closed_at, ${UNTIL}) - a.application_date) * ((j - 1 + ${U('a.id * 8 + j', 86)}) / a.follow_up_count) as t
          from (select id, application_date, closed_at, assignee_user_id, assignee_team_id, follow_up_count,
                       (sum(follow_up_count) over (order by id) - follow_up_count)::bigint as off
                  from applications where id between ${lo} and ${hi}) a
          cross join lateral generate_series(1, a.follow_up_count) j
          offset 0
        ) n
        offset 0
      ) a`;

  const timeEntriesSql = (lo: number, hi: number, base: number) => `insert into time_entries (id, created_at, updated_at, version, application_id, user_id, date, minutes, note, account_id, subscription_id, project_id)
      select ${base} + off + j, t, t, 1, id, ${worker('id * 8 + j', 91)}, (t at time zone 'UTC')::date, ${minutesExpr('id', 'j')},
        case when ${U('id * 8 + j', 93)} < 0.7 then ${pick(TIME_NOTES, U('id * 8 + j', 94))} end,
        applicant_id, subscription_id, project_id
      from (
        select a.id, a.off, a.assignee_user_id, a.assignee_team_id, a.applicant_id, a.subscription_id, a.project_id, j,
               a.application_date + least(coalesce(a.closed_at, ${UNTIL}) - a.application_date, interval '20 days') * ((j - 1 + ${U('a.id * 8 + j', 96)}) / a.tc) as t
        from (select b.*, (sum(tc) over (order by id) - tc)::bigint as off
                from (select id, application_date, closed_at, assignee_user_id, assignee_team_id, applicant_id, subscription_id, project_id, ${tcExpr('id')} as tc
                        from applications where id between ${lo} and ${hi} offset 0) b) a
        cross join lateral generate_series(1, a.tc) j
        offset 0
      ) a`;

  const CH = Math.max(5_000, Math.min(50_000, Math.ceil(N / 40)));
  if (process.env.SEED_BULK_DUMP_SQL) {
    // for profiling: the statement of each kind, first chunk
    const fs = require('node:fs') as typeof import('node:fs');
    const dir = process.env.SEED_BULK_DUMP_SQL;
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, sql] of Object.entries({ accounts: accountsSql(1, 1000), contacts: contactsSql(1, 1000), subscriptions: subscriptionsSql(1, 1000), applications: applicationsSql(1, CH), follow_ups: followUpsSql(1, CH, 0), time_entries: timeEntriesSql(1, CH, 0) })) {
      fs.writeFileSync(`${dir}/${name}.sql`, `${sql};\n`);
    }
  }
  const accChunks = chunks(A, Math.max(2_000, Math.ceil(A / 8)));
  progress.start('accounts', A);
  await runPool(clients, accChunks.map(([lo, hi]) => ({ label: `accounts ${lo}`, sql: accountsSql(lo, hi), weight: hi - lo + 1 })), progress);

  // Follow-up and time entry ids: running totals of their counts per chunk (pure functions of the id).
  const appChunks = chunks(N, CH);
  const sums = await q<{ c: number; fu: string; te: string }>(
    `select ((g - 1) / ${CH})::int as c, sum(${fcExpr('g')})::bigint as fu, sum(${tcExpr('g')})::bigint as te from generate_series(1, ${N}::bigint) g group by 1 order by 1`,
  );
  const fuBase: number[] = [];
  const teBase: number[] = [];
  const fuRows: number[] = [];
  const teRows: number[] = [];
  let fuTotal = 0;
  let teTotal = 0;
  for (const s of sums) {
    fuBase[s.c] = fuTotal;
    teBase[s.c] = teTotal;
    fuRows[s.c] = Number(s.fu);
    teRows[s.c] = Number(s.te);
    fuTotal += Number(s.fu);
    teTotal += Number(s.te);
  }
  const ctChunks = chunks(CT, Math.max(5_000, Math.ceil(CT / 8)));
  const suChunks = chunks(SU, Math.max(5_000, Math.ceil(SU / 8)));
  const sizes = new Map<string, number>([
    ['applications', N],
    ['follow_ups', fuTotal],
    ['time_entries', teTotal],
    ['contacts', CT],
    ['subscriptions', SU],
    ['accounts', A],
  ]);
  // Progress weights are rough microseconds of work: an application row (with its trigram GIN
  // entry) ~100, a follow-up or time entry ~10, a b-tree entry ~1.5, a GiST trigram entry ~35.
  /** Rough cost of an index build, for the progress bar and to start the long ones first. */
  const cost = (i: { table: string; def: string }) => {
    const rows = sizes.get(i.table) ?? 1;
    if (/gin_trgm_ops/.test(i.def)) return rows * (/detail/.test(i.def) ? 60 : 15);
    if (/gist_trgm_ops/.test(i.def)) return rows * 35;
    if (/using gin/i.test(i.def)) return rows * 1;
    return rows * (/, /.test(i.def) ? 2 : 1.5);
  };
  const indexTask = (i: (typeof rebuilt)[number], after?: string[]): Task => ({ label: i.name, table: i.table, sql: i.def, weight: cost(i), after });
  const timings = new Map<string, number>();

  // 5b. The load: each chunk's follow-ups and time entries as soon as its applications are in;
  // the indexes of applications (the GiST one is long) as soon as all applications are in.
  const appLabels = appChunks.map(([lo]) => `applications ${lo}`);
  const appIndexes = rebuilt.filter((i) => i.table === 'applications').map((i) => indexTask(i, appLabels)).sort((x, y) => y.weight - x.weight);
  const loadTasks: Task[] = [];
  appChunks.forEach(([lo, hi], i) => {
    loadTasks.push({ label: `applications ${lo}`, sql: applicationsSql(lo, hi), weight: 100 * (hi - lo + 1) });
    if (i === appChunks.length - 1) loadTasks.push(...appIndexes);
    loadTasks.push({ label: `follow_ups ${lo}`, sql: followUpsSql(lo, hi, fuBase[i]), weight: 10 * fuRows[i], after: `applications ${lo}` });
    loadTasks.push({ label: `time_entries ${lo}`, sql: timeEntriesSql(lo, hi, teBase[i]), weight: 10 * teRows[i], after: `applications ${lo}` });
  });
  loadTasks.push(
    ...ctChunks.map(([lo, hi]) => ({ label: `contacts ${lo}`, sql: contactsSql(lo, hi), weight: 10 * (hi - lo + 1) })),
    ...suChunks.map(([lo, hi]) => ({ label: `subscriptions ${lo}`, sql: subscriptionsSql(lo, hi), weight: 10 * (hi - lo + 1) })),
  );
  progress.start('load', loadTasks.reduce((sum, t) => sum + t.weight, 0), 'µs est.');
  await runPool(clients, loadTasks, progress, timings);

  // 6. Counters and sequences.
  for (const y of years) await q(`insert into application_counters (year, last) values ($1, $2)`, [y.y, y.last - y.first + 1]);
  for (const t of ['users', 'teams', 'regions', 'branches', 'projects', 'campaigns', 'categories', ...LOADED]) {
    await q(`select setval(pg_get_serial_sequence('${t}', 'id'), greatest((select max(id) from "${t}"), 1))`);
  }

  // 7. Vacuum the heaps (visibility map, hint bits; indexes are left alone).
  progress.start('vacuum', LOADED.length, 'tables');
  for (const i of indexes.filter((x) => keep(x) && /using gin/i.test(x.def))) await q(`select gin_clean_pending_list('"${i.name}"'::regclass)`);
  await runPool(
    clients,
    [...LOADED].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0)).map((t) => ({ label: `vacuum ${t}`, sql: `vacuum (index_cleanup off) "${t}"`, weight: 1 })),
    progress,
  );

  // 8. The other indexes (largest first, spread over the connections), then foreign keys.
  const idxTasks: Task[] = rebuilt
    .filter((i) => i.table !== 'applications')
    .map((i) => indexTask(i))
    .sort((a, b) => b.weight - a.weight);
  const byTable = new Map<string, { name: string; table: string; def: string }[]>();
  for (const f of fks) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f]);
  const fkTasks: Task[] = [...byTable.entries()]
    .sort((a, b) => (sizes.get(b[0]) ?? 0) - (sizes.get(a[0]) ?? 0))
    .map(([table, list]) => ({
      label: `foreign keys of ${table}`,
      table,
      sql: [...list.map((f) => `alter table "${table}" add constraint "${f.name}" ${f.def} not valid`), ...list.map((f) => `alter table "${table}" validate constraint "${f.name}"`)],
      weight: (sizes.get(table) ?? 1) * 0.5 * list.length,
    }));
  progress.start('indexes + keys', [...idxTasks, ...fkTasks].reduce((sum, t) => sum + t.weight, 0), 'µs est.');
  await runPool(clients, idxTasks, progress, timings);
  for (const i of rebuilt) if (i.conname) await q(`alter table "${i.table}" add constraint "${i.conname}" unique using index "${i.name}"`);
  await runPool(clients, fkTasks, progress, timings);
  progress.start('dashboard rollups', 1, 'steps');
  await q(`select application_stats_rebuild()`);
  await q(`alter table applications enable trigger applications_stats`);
  await q(`alter table time_entries enable trigger time_entries_stats`);
  await q(`vacuum application_stats`);
  progress.add(1);

  // 9. Statistics.
  progress.start('analyze', 1, 'steps');
  await runPool(clients, [...LOADED, 'application_stats', 'users', 'teams', 'team_members', 'categories', 'regions', 'branches', 'projects', 'campaigns'].map((t) => ({ label: `analyze ${t}`, sql: `analyze "${t}"`, weight: 0 })), progress);
  progress.add(1);
  progress.finish();

  await q(`drop schema seed cascade`);
  const counts = (
    await q<{ t: string; n: string }>(
      `select 'applications' as t, count(*) as n from applications union all select 'accounts', count(*) from accounts union all select 'contacts', count(*) from contacts
       union all select 'subscriptions', count(*) from subscriptions union all select 'follow_ups', count(*) from follow_ups union all select 'time_entries', count(*) from time_entries
       union all select 'users', count(*) from users union all select 'teams', count(*) from teams union all select 'categories', count(*) from categories`,
    )
  ).reduce<Record<string, number>>((m, r) => ({ ...m, [r.t]: Number(r.n) }), {});
  const meta = {
    kind: 'callcenter-bench',
    seed: o.seed,
    applications: N,
    until: until.toISOString().slice(0, 10),
    from: start.toISOString().slice(0, 10),
    counts,
    users: { admin: 'admin@bench.local', teamLeader: 'lider01@bench.local', agent: 'temsilci001@bench.local', agentIds: [AGENT0, AGENT0 + NA - 1], leaderIds: [LEADER0, LEADER0 + NT - 1] },
    passwordFrom: 'BENCH_PASSWORD (default bench-parola-2026)',
    seededAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  await q(`comment on database "${dbName.replace(/"/g, '""')}" is ${lit(JSON.stringify(meta))}`);
  for (const c of clients) await c.end();

  const slow = [...timings.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  process.stderr.write(`  slowest steps: ${slow.map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}\n`);
  process.stdout.write(
    `\nBenchmark data set ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${Object.entries(counts)
      .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
      .join(', ')}.\n` +
      `  sign in as admin@bench.local (administrator), lider01..lider20@bench.local (team leaders), temsilci001..temsilci180@bench.local (agents)\n` +
      `  password: ${o.password === BENCH_DEFAULT_PASSWORD ? BENCH_DEFAULT_PASSWORD : 'the value of BENCH_PASSWORD'}\n`,
  );
}

if (require.main === module) {
  seedBulk(parseArgs(process.argv.slice(2)))
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`\nseed:bulk failed: ${err instanceof Error ? err.stack || err.message : String(err)}\n`);
      process.exit(1);
    });
}
