import { it } from 'vitest';
import { createPiiDetector } from './index.js';
it('probe', () => {
  const d = createPiiDetector();
  const texts = [
    'Can you summarise the email from Kwame Mensah about the Q3 budget?',
    'Meeting with Ingrid Halvorsen and Tomasz Wrona on Tuesday in Oslo.',
    'The Apple Vision Pro launched in February; Tim Cook presented it.',
    'Please forward this to Dr. Amara Nwosu.',
    'Shakespeare wrote Hamlet. Cleopatra ruled Egypt.',
    '{"user": {"display_name": "Lindiwe Dlamini", "role": "admin"}}',
    'assignee: Rafaela Quintanilha\nstatus: open',
    'Ich habe Frau Schulte-Berghoff gestern eine Mail geschickt.',
    'Dziękuję panu Grzegorzowi Brzęczyszczykiewiczowi za pomoc.',
    'Сегодня Ольга Сергеевна Кравцова подписала договор.',
    'Η Μαρία Κωνσταντοπούλου θα έρθει αύριο.',
    'Kwa niaba ya Bi. Halima Mwinyi, tunashukuru.',
    'Ngày mai anh Trịnh Công Sơn sẽ đến văn phòng.',
    '李明华今天没来上班，张丽说她病了。',
    '鈴木一郎さんは明日来ます。',
    '박지성 선수가 골을 넣었다.',
    'ذهب أحمد بن سعيد إلى السوق.',
    'राम प्रसाद वर्मा ने भुगतान किया।',
    'דני אבדיה הגיע לפגישה.',
    'Our Berlin office opened in May 2024 with the Horizon Europe grant.',
    'Release notes for Kubernetes 1.29: Ingress changes, Gateway API.',
    'Sehr geehrte Damen und Herren, anbei die Rechnung der Firma Müller Bau GmbH.',
    'version 1.2.3.4 is out, see v10.0.0.1 and 10.0.0.1',
    'Order number 4839201746, phone 4839201746',
    'P.S. Thanks, Mark',
    'Hi all, Grace and I reviewed it. Best, Ruby',
    'Account holder: MÜLLER HANS',
    'Zahlung an Erika Mustermann, IBAN de89 3704 0044 0532 0130 00',
  ];
  for (const t of texts) console.log(JSON.stringify(t), '=>', d.find(t).map((f) => `${f.type}:${t.slice(f.start, f.end)}`).join(' | '));
});
