/**
 * Name lexicons for scripts and regions the Latin-centred lists in `names-given.ts` and
 * `names-surnames.ts` do not cover: common given names and family names in Cyrillic, Greek,
 * Arabic, Persian, Hebrew and Devanagari script, and Latin-script names from Vietnam, East and
 * West Africa, Iceland, Ireland and the Nordics. Written for this project from public knowledge
 * of common names; lower case, space-separated, small on purpose.
 */

export const WORLD_GIVEN: readonly string[] = [
  // Russian / Ukrainian / Belarusian
  'александр алексей анатолий андрей антон аркадий артём артем борис вадим валентин валерий',
  'василий виктор виталий владимир владислав вячеслав геннадий георгий глеб григорий даниил',
  'денис дмитрий евгений егор иван игорь илья кирилл константин лев леонид максим михаил',
  'никита николай олег павел пётр петр роман руслан семён сергей станислав степан тимофей',
  'тимур фёдор федор юрий ярослав тарас богдан остап назар андрій олександр сергій юрій',
  'дмитро микола василь петро григорій іван олексій віктор володимир',
  'алина алла анастасия анна валентина валерия вера вероника виктория галина дарья диана',
  'екатерина елена елизавета жанна зоя ирина кира ксения лариса лидия любовь людмила маргарита',
  'марина мария надежда наталья наталия нина оксана ольга полина светлана софия софья',
  'тамара татьяна юлия яна ірина олена мирослава марта катерина наталія людмила галина',
  // Greek
  'γιώργος γεώργιος δημήτρης δημήτριος νίκος νικόλαος κώστας κωνσταντίνος γιάννης ιωάννης',
  'παναγιώτης βασίλης βασίλειος αθανάσιος χρήστος μιχάλης σπύρος αντώνης θοδωρής στέλιος',
  'ελένη μαρία κατερίνα αικατερίνη σοφία βασιλική δέσποινα αναστασία χριστίνα ειρήνη',
  'γεωργία δήμητρα αγγελική ευαγγελία φωτεινή παρασκευή',
  // Arabic
  'محمد أحمد احمد علي حسن حسين عمر خالد يوسف إبراهيم ابراهيم عبدالله عبد طارق سامي ماجد فيصل',
  'سعيد ناصر كريم مصطفى محمود عادل وليد هشام ياسر رامي زياد باسم فادي نبيل جمال سلمان فهد',
  'فاطمة عائشة مريم زينب خديجة سارة نور ليلى هدى سلمى رانيا ياسمين منى هند أمل رنا دينا',
  'لينا ريم نادية سعاد جميلة حنان هالة',
  // Persian
  'علی رضا حسین مهدی امیر سعید محمدرضا حمید مجید بهرام کوروش داریوش آرش بابک فرهاد',
  'زهرا مریم سارا نگار پریسا شیرین فاطمه مهسا نازنین الهام لیلا نسرین آزاده سمیرا',
  // Hebrew
  'דוד משה יוסף אברהם יעקב יצחק אורי איתי עומר יונתן דניאל אריאל נועם רון אלון גיא עידו',
  'שרה רחל לאה רבקה מרים נועה תמר יעל מיכל שירה אביגיל הילה רונית ענבל דנה מאיה',
  // Hindi (Devanagari)
  'राहुल अमित विकास संजय अर्जुन राजेश सुरेश रमेश विजय अनिल सुनील मनोज अजय रवि अभिषेक',
  'प्रिया सुनीता अनीता नेहा कविता पूजा दीपिका अंजलि सीमा रेखा ममता स्नेहा आरती',
  // Vietnamese given (single syllables as written)
  'an văn thị minh tuấn hoa trang quốc bảo ngọc lan đức huy thanh hương hoàng nam mai anh gia',
  'hùng dũng thảo linh phương hải long khánh tâm trung nhung yến phúc thắng',
  // Swahili / East Africa
  'baraka neema juma zawadi amani rehema bakari imani hamisi subira tumaini mwajuma wanjiru',
  'kamau otieno achieng akinyi wambui njeri kipchoge jabari haji saidi mwanaisha',
  // Yoruba / Igbo / Hausa (with and without tone marks)
  'adébáyọ̀ adebayo olúwaṣeun oluwaseun fúnmiláyọ̀ funmilayo olúmídé olumide adéwálé adewale',
  'tèmítọ́pẹ́ temitope ayọ̀dèjì ayodeji fọláṣadé folasade babátúndé babatunde oyèbámijí kẹ́hìndé',
  'kehinde ìyábọ̀ iyabo chinedu ngozi chioma emeka obinna aminu abubakar',
  // Icelandic / Nordic
  'guðrún sigurður þórdís gunnar hrafnhildur ólafur ástríður einar sólveig bjarni katrín',
  'þorsteinn jón kristín helga margrét guðmundur linnéa björn åsa måns sigrid olof ebba',
  'torbjörn maja ingrid gustav henrik',
  // Irish
  'siobhán ciarán aoife pádraig niamh eoghan caoimhe seán róisín tadhg sinéad oisín',
];

export const WORLD_SURNAMES: readonly string[] = [
  'иванов смирнов кузнецов попов васильев петров соколов михайлов новиков фёдоров федоров',
  'морозов волков алексеев лебедев семёнов егоров павлов козлов степанов николаев орлов',
  'андреев макаров никитин захаров зайцев соловьёв борисов яковлев григорьев романов',
  'фомин калинин белов шевченко коваленко бондаренко ковальчук мельник ткачук кравченко',
  'поліщук савчук марченко руденко гончарук бойко ткаченко',
  'παπαδόπουλος παπαδοπούλου οικονόμου γεωργίου νικολάου καραγιάννης βασιλείου αντωνίου',
  'μαυρίδης κωνσταντινίδου πετράκης χριστοδούλου ιωάννου παπανικολάου',
  'منصور حداد خوري سليمان النجار الخطيب الحسيني الشمري العتيبي القحطاني الزهراني العلي',
  'الأحمد الغامدي الدوسري المطيري الحربي عيسى يوسف إبراهيم',
  'محمدی حسینی رضایی احمدی کریمی موسوی جعفری صادقی رحیمی نوری کاظمی هاشمی',
  'כהן לוי מזרחי פרץ ביטון אזולאי פרידמן שפירא גולן דהן אוחיון רוזנברג אברהם',
  'शर्मा वर्मा गुप्ता सिंह पटेल यादव जोशी मिश्रा चौहान अग्रवाल मेहता कुमार',
  'nguyễn nguyen trần tran lê phạm pham hoàng hoang huỳnh huynh phan vũ võ đặng dang bùi bui',
  'đỗ hồ ngô dương lý trịnh cao tạ lưu hà kiều châu',
  'mwangi otieno wanjiku kamau njoroge achieng mutua kiprono odhiambo nyambura kimaro',
  'ògúnlẹ́yẹ ogunleye adéyẹmí adeyemi àjàyí ajayi ìṣọ̀lá fáṣọlá fasola àkàndé akande ọládipọ̀',
  'oladipo ògúndélé ogundele bámidélé bamidele okafor okonkwo',
  'jónsdóttir sigurðsson guðmundsdóttir einarsson ólafsdóttir magnússon stefánsdóttir',
  'söderberg åkesson bergström holmgren sjöberg nyström engström lundgren östlund',
];

/** Common family names written without a space before the given name (CJK). */
export const ZH_FAMILY =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
export const JA_FAMILY = (
  '佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 ' +
  '斎藤 清水 山崎 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 ' +
  '村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 ' +
  '竹内 小野 田村 中山 和田 石田 森田 上田 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 安藤 ' +
  '島田 谷口 大野 高田 丸山 今井 河野 藤本 村田 武田 上野 杉山 増田 小山 大塚 平野 菅原 ' +
  '久保 松井 千葉 岩崎 桜井 木下 野口 松尾 野村 新井 渡部'
).split(' ');
export const KO_FAMILY =
  '김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용';
/** Syllables common in Korean given names: a plausibility check on `family + two syllables`. */
export const KO_GIVEN_SYLLABLES =
  '민준서연지우현수은영진호훈성윤하예도재유빈희정경혜미주선태상동원승혁철석용아나린채다소시형규광종병기숙순옥자남인한찬건율온람별솔결';

/** Family names written first (Vietnamese): a capitalised word before one is not part of the name. */
export const FAMILY_FIRST = new Set(
  'nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý trịnh cao tạ lưu kiều châu'.split(
    ' ',
  ),
);
