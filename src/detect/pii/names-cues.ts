/**
 * Context cues for the person-name detector, across languages: the words that announce a name
 * (titles, greetings, sign-offs, verbs of calling, writing and paying, prepositions), the field
 * names that hold one (JSON keys, CSV headers, email and banking labels), and the capitalised
 * words that look like names but are not (common nouns of product names and headings, places,
 * months, famous historical people).
 */

const words = (s: string) => new Set(s.split(/\s+/).filter((w) => w !== ''));

/** A name follows these directly: titles and honorifics. */
export const TITLES = words(`
  mr mrs ms miss mx dr prof sir dame lord lady herr frau monsieur madame mademoiselle mme mlle
  señor señora señorita sr sra srta doña don signor signora sig dott dottoressa senhor senhora
  pan pani meneer mevrouw dhr mevr fru hr frk ông bà chị kyrios kyria κύριος κυρία κ господин госпожа
  пан пані bay bayan mwalimu bwana bi mama baba chief alhaji alhaja
  السيد السيدة الأستاذ الأستاذة الدكتور الدكتورة د آقای خانم دکتر מר גב גברת ד״ר דר
  श्री श्रीमती सुश्री डॉ डॉक्टर`);

/** Greetings and address forms: the next capitalised word(s) are a name. */
export const GREETINGS = words(`
  hi hello hey dear hallo liebe lieber geehrte geehrter bonjour salut cher chère hola estimado
  estimada querido querida ciao gentile caro cara olá oi prezado prezada beste hoi cześć
  szanowny szanowna merhaba sayın привет уважаемый уважаемая привіт шановний шановна hej hæ
  dhuit kære kjære hei γεια αγαπητέ αγαπητή ahoj vážený vážená chào habari jambo mpendwa مرحبا
  عزيزي عزيزتي سلام שלום नमस्ते`);

/** Closings after which the next line holds the writer's name. */
export const SIGNOFFS = words(`
  regards sincerely cheers thanks best yours grüße gruß gruss cordialement saludos saluti
  atenciosamente groeten pozdrawiam pozdravem уважением повагою hälsningar hilsen kveðja
  εκτίμηση saygılarımla trân trọng wako meas groet ṣé التحية احترام בברכה धन्यवाद`);

/**
 * Verbs of calling, writing, meeting and paying: a capitalised run right after one is read
 * as a name even when no lexicon knows it (as long as it holds no common noun).
 */
export const VERBS = words(`
  called call rang ring phoned phone emailed email wrote write told tell asked ask met meet
  paid pay thanked thank invited invite hired texted messaged contacted contact visited
  spoke talked cc'd cc forwarded forward sent send according d'après selon según laut volgens
  według словам transfer payment überweisung zahlung virement paiement transferencia pago
  przelew перевод платёж betaling overboeking
  angerufen anrufen rief ruf schrieb schreib kontaktiere frag fragte traf bezahlt bezahlte
  appelé appelle appeler écrit écris contacté demandé rencontré payé remercié
  llamé llama llamar escribí escribe pregunté pagué pagamos contacté
  liguei ligue falei fale escrevi pagamos paguei encontrei
  chiamato chiama sentito scritto pagato incontrato
  gebeld bel schreef betaald
  zadzwoń zadzwoniłem zadzwoniłam napisz napisałem zapłaciłem spotkałem rozmawiałem wysłałem wysłałam
  позвони позвонил звонил звонила напиши написал написала заплатил встретил поговорил
  зателефонуй напиши написав заплатив говорив
  volal volala napiš napsal zaplatil mluvil
  ringde ringer skrev betalade träffade hringdi sendu greiddum
  aradım yazdım ödedim konuştum
  nilimpigia mpigie mtumie tulimlipa mwandikie
  kuhusu gọi gửi cho`);

/** Prepositions and linking words: weaker, a lexicon name or surname shape must back them. */
export const PREPOSITIONS = words(`
  to with from for by of and or per via according
  an mit von für bei laut und
  à avec de pour par selon et
  a con para por según y
  com para por segundo e
  con per da secondo e
  aan met van voor volgens en
  do z ze od dla według i
  к с от для у по словам і до з від для
  s pro podle od
  till med från för enligt och til með frá fyrir samkvæmt
  ile için göre ve
  kwa na wa
  με σε από για του της τον την
  sí fún bí pẹ̀lú`);

/** Field and header names (normalised: lower case, letters only) whose value is a person. */
export const NAME_KEYS_EXACT = words(`
  from to cc bcc replyto sender recipient author owner holder assignee reporter contact
  customer client patient employee signatory signedby attendee speaker guest passenger tenant
  applicant candidate student teacher driver member person payee payer beneficiary remitter
  von an absender empfänger kunde ansprechpartner de para à da a od do от кому van aan från
  till kontakt cliente klient destinatario remitente mittente ad 성`);

/** Substrings of a key that mark a name field (`customer_name`, `fullName`, `Kontoinhaber`). */
export const NAME_KEY_STEMS = [
  'name',
  'nom',
  'nombre',
  'nome',
  'naam',
  'namn',
  'navn',
  'nafn',
  'nimi',
  'imię',
  'imie',
  'nazwisk',
  'jméno',
  'jmeno',
  'příjmení',
  'prijmeni',
  'apellid',
  'cognom',
  'sobrenom',
  'prénom',
  'prenom',
  'jina',
  'orúkọ',
  'oruko',
  'soyad',
  'isim',
  'имя',
  'фамил',
  'отчеств',
  'ім’я',
  "ім'я",
  'прізвищ',
  'όνομα',
  'επώνυμ',
  'שם',
  'اسم',
  'الاسم',
  'نام',
  'नाम',
  'उपनाम',
  '姓',
  '名',
  '이름',
  '성명',
  'họ',
  'tên',
  'holder',
  'owner',
  'inhaber',
  'titular',
  'titulaire',
  'intestatari',
  'innehavare',
  'eigenaar',
  'właściciel',
  'majitel',
  'владел',
  'власник',
  'κάτοχ',
  'בעל',
  'صاحب',
  'खाताधारक',
  '名义',
  '名義',
  '持有人',
  '예금주',
  'sahib',
  'eigandi',
  'mwenye',
  'onílé',
  'benefic',
  'begünstig',
  'begunstig',
  'empfänger',
  'empfanger',
  'recipient',
  'payee',
  'remitter',
  'destinatari',
  'favorecid',
  'odbiorc',
  'nadawc',
  'příjemce',
  'получател',
  'отправител',
  'отримувач',
  'δικαιούχ',
  'מוטב',
  'مستفيد',
  'ذینفع',
  'लाभार्थी',
  '收款',
  '受取',
  '수취',
  'alıcı',
  'mottagare',
  'viðtakandi',
  'mpokeaji',
  'olùgbà',
  'người',
  'sender',
  'author',
  'assignee',
  'reporter',
  'contactperson',
  'customer',
  'patient',
  'employee',
  'signatory',
  'sloinne',
  'ainm',
  'houder',
  'adı',
  'soyadı',
  'chủtàikhoản',
  'ngườigửi',
  'kontoinnehav',
  'kontohaver',
  'tilinomistaja',
];

/** Keys that contain a name stem but hold something else (`productName`, `hostname`). */
export const NOT_NAME_KEY_STEMS = [
  'file',
  'host',
  'domain',
  'product',
  'company',
  'firm',
  'org',
  'project',
  'app',
  'model',
  'service',
  'bank',
  'city',
  'country',
  'street',
  'brand',
  'device',
  'server',
  'repo',
  'branch',
  'package',
  'tag',
  'team',
  'group',
  'role',
  'path',
  'dataset',
  'feature',
  'plan',
  'item',
  'category',
  'department',
  'event',
  'field',
  'class',
  'type',
  'table',
  'column',
  'key',
  'title',
  'subject',
  'label',
  'image',
  'course',
  'store',
  'shop',
  'hotel',
  'ship',
  'pet',
  'method',
  'function',
  'var',
  'mail',
  'phone',
  'url',
  'link',
  'user',
  'login',
  'number',
  'code',
  'id',
  'db',
  'schema',
  'queue',
  'topic',
  'bucket',
  'region',
  'zone',
  'env',
  'nominal',
  'amount',
  'betrag',
  'montant',
  'importe',
  'nummer',
  'numero',
  'número',
];

/** Capitalised words that are not names: common nouns of product names, headings, places. */
export const COMMON = words(`
  server windows office studio code watch phone pad book note notes sheets docs drive cloud
  pro max mini plus ultra air edition version release update report notes minutes summary
  agenda review meeting project team group order invoice payment transfer account statement
  quarterly annual monthly weekly daily new york san santa são saint st los las port fort
  mount lake cape costa puerto city county state states united kingdom republic north south
  east west central national international general public private limited global first
  second third final draft total net gross street road avenue square park station airport
  university college school hospital bank church museum hotel restaurant cafe market
  galaxy acrobat reader visual adobe apple google microsoft amazon android ios linux excel
  word teams outlook chrome firefox safari iphone ipad macbook tesla model surface xbox
  playstation nintendo switch kindle echo alexa siri copilot gemini chatgpt openai anthropic
  python java javascript typescript rust go kotlin swift react angular vue node docker
  kubernetes github gitlab jira confluence slack zoom sap oracle salesforce
  support desk board editorial sales marketing services service web customer customers legal
  finance billing accounts admin department committee council premium basic standard
  enterprise starter free trial plan gold silver platinum hiring human resources operations
  ireland england scotland wales britain france germany deutschland spain españa italy italia
  portugal netherlands nederland belgium belgique switzerland schweiz suisse austria
  österreich poland polska czech česko slovakia hungary romania greece turkey türkiye russia
  россия ukraine україна sweden sverige norway norge denmark danmark finland suomi iceland
  ísland canada mexico méxico brazil brasil argentina chile peru colombia india pakistan
  china japan korea vietnam thailand indonesia malaysia singapore philippines australia
  zealand africa nigeria kenya egypt morocco israel iran iraq arabia emirates qatar europe
  asia america`);
/** Words that start a place name, so the given name after them is not a person (`San Diego`). */
export const PLACE_PREFIX = words(`
  san santa são sao saint st ste los las new port fort mount mt lake cape costa puerto porto
  rio río bad sankt`);

/** Famous historical people: naming them is not personal data about a user. */
export const FAMOUS = words(`
  einstein bonaparte napoleon shakespeare curie gandhi vinci mozart beethoven galilei galileo
  churchill mandela cleopatra aristotle plato socrates confucius picasso freud marx copernicus
  nietzsche tolstoy dostoevsky gutenberg michelangelo rembrandt voltaire goethe cervantes`);

/** Surname shapes that carry across languages (patronymics, Slavic, Greek, Nordic, Irish). */
export const SURNAME_SHAPE = new RegExp(
  [
    "^(?:o['’]|mc|mac)\\p{Lu}",
    '(?:ov|ova|ev|eva|ski|ska|sky|cki|cka|ský|ská|cký|ová|ovou|ové|skiego|skiemu|skim|skiej|ską|ckiego|ckiej|enko|chuk|czuk|czyk|uk|yuk|vić|vič|ić|escu|oğlu|oglu|shvili|dze|yan|poulos|opoulou|idis|idou|akis|sson|sen|dóttir|dottir|mann|berg|stein|feld|meier|meyer|ez)$',
    '(?:ов|ова|ову|овым|овой|ев|ева|еву|евым|евой|ин|ина|ину|иным|иной|ский|ская|ского|скому|ской|цкий|цкая|енко|енка|енку|енком|чук|чука|юк|ук|ука|ович|евич|овна|евна|ян)$',
    '(?:πουλος|πούλου|ίδης|ίδου|άκης|ίου|ου)$',
  ].join('|'),
  'u',
);
