import { JA_FAMILY, KO_FAMILY, KO_GIVEN_SYLLABLES, ZH_FAMILY } from './names-world.js';
import type { PiiFinding } from './types.js';

/**
 * East-Asian names, written without spaces and without capital letters: a common family name
 * (one Han character in Chinese, usually two in Japanese, one Hangul syllable in Korean) and a
 * short given name, read only where the text around it marks a word boundary (punctuation, a
 * particle, a verb of calling or giving, an honorific). No honorific is needed.
 */

/** CJK unified ideographs (and extension A), the range common names are written in. */
const isHanCode = (code: number) =>
  (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff);
const isHan = (c: string | undefined) => c !== undefined && isHanCode(c.charCodeAt(0));

/** Characters before a Chinese name: to / with / for / call / ask / according to / contact. */
const ZH_BEFORE = new Set([...'给和跟与向叫请让对找据致问被由把替为同及、：:，, \n"“「『(（']);
/** Characters right after a Chinese given name: verbs, particles, honorifics, punctuation. */
const ZH_AFTER = new Set([
  ...'打说的先女小老经医是在了已也和发来去吗呢等及今昨付转写通联讲告问回见请要会很都就还与跟给负签收同',
  ...'、，,。.！!？?：:；;）)」』"”\n ',
]);
/** Two-character words that start with a family character but are not names. */
const ZH_WORDS = new Set(
  (
    '金额 高级 方法 方面 方便 周末 马上 白色 黄色 黄金 石油 江苏 林业 高兴 程序 许多 许可 余额 何时 ' +
    '孙子 万一 万元 宋体 田地 毛病 高速 高度 周围 周年 周期 张开 陈述 李子 杨树 朱红 胡说 郭外 何况 ' +
    '罗马 郑重 梁山 谢谢 唐朝 韩国 冯氏 曹操 彭湃 曾经 田野 董事 潘多 蒋介 蔡司 杜绝 叶子 程度 苏州 ' +
    '魏国 吕布 丁香 任何 任务 沈阳 姚明 卢布 姜汁 钟表 陆地 汪洋 范围 金融 石头 夏天 白天 方向 邹城 ' +
    '孟子 熊猫 秦朝 江西 江南 雷达 龙头 史上 陶瓷 黎明 贺卡 顾客 毛巾 万分 钱包 严重 武汉 戴上 莫斯 ' +
    '孔子 向上 汤圆 王国 李白 张家 刘海 陈列 杨柳 赵国 吴国 周一 周二 周三 周四 周五 周六 周日 徐州 ' +
    '孙中 马路 马克 朱古 胡同 高中 林肯 高效 金牌 石家 安全 万一 黄河 高楼 钱财 白银 雷锋 龙门 ' +
    '方案 方式 江湖 周边 高端 成本 于是 金額 高額 方向 石鹸 林檎 金曜 周辺'
  ).split(' '),
);
const ZH_FAMILY_SET = new Set(ZH_FAMILY);
const JA_BY_FIRST = new Map<string, string[]>();
for (const f of JA_FAMILY)
  JA_BY_FIRST.set(f[0] as string, [...(JA_BY_FIRST.get(f[0] as string) ?? []), f]);

function scanChinese(text: string, i: number, out: PiiFinding[]): number {
  const before = text[i - 1];
  if (before !== undefined && !ZH_BEFORE.has(before)) return i;
  if (ZH_WORDS.has(text.slice(i, i + 2))) return i;
  // Given name: one or two Han characters, ending where a boundary character starts.
  for (const len of [2, 1]) {
    let isGiven = true;
    for (let k = i + 1; k <= i + len; k++) {
      const c = text[k];
      if (!isHan(c) || ZH_AFTER.has(c as string)) isGiven = false;
    }
    if (!isGiven) continue;
    const after = text[i + 1 + len];
    if (after === undefined || ZH_AFTER.has(after) || !isHan(after)) {
      out.push({ type: 'name', start: i, end: i + 1 + len });
      return i + len;
    }
  }
  return i;
}

const KANA_AFTER = /[\u3040-\u309f、。，．！？「」『』（）()\s:：,]/u;
/** Kanji that follow a family name as a title or office, not as a given name. */
const JA_NOT_GIVEN = new Set([...'様氏君殿社部課長先生教授店会員']);

function scanJapanese(text: string, i: number, family: string, out: PiiFinding[]): number {
  const start = i;
  let j = i + family.length;
  if (text[j] === ' ' || text[j] === '\u3000') j++;
  let given = 0;
  while (given < 3 && isHan(text[j + given]) && !JA_NOT_GIVEN.has(text[j + given] as string))
    given++;
  const after = text[j + given];
  if (given === 0 || given === 3 || (after !== undefined && !KANA_AFTER.test(after))) return i;
  out.push({ type: 'name', start, end: j + given });
  return j + given - 1;
}

const KO_PARTICLES = [
  '에게서',
  '에게',
  '한테',
  '께서',
  '씨가',
  '씨는',
  '씨',
  '님께',
  '님이',
  '님은',
  '님',
  '께',
  '은',
  '는',
  '이',
  '가',
  '을',
  '를',
  '의',
  '와',
  '과',
  '도',
  '이랑',
  '랑',
  '이가',
  '야',
  '아',
];
const HANGUL_WORD = /[\uac00-\ud7a3]+/gu;

function scanKorean(text: string, out: PiiFinding[]): void {
  HANGUL_WORD.lastIndex = 0;
  for (let m = HANGUL_WORD.exec(text); m !== null; m = HANGUL_WORD.exec(text)) {
    const word = m[0];
    if (word.length < 3 || word.length > 6 || !KO_FAMILY.includes(word[0] as string)) continue;
    const particle = KO_PARTICLES.find((p) => word.endsWith(p) && word.length - p.length === 3);
    const core = particle === undefined ? word : word.slice(0, 3);
    if (core.length !== 3) continue;
    if (!KO_GIVEN_SYLLABLES.includes(core[1] as string)) continue;
    if (!KO_GIVEN_SYLLABLES.includes(core[2] as string)) continue;
    const prev = text[m.index - 1];
    const isBounded = particle !== undefined || prev === undefined || /[\s:："“,;(]/.test(prev);
    if (isBounded) out.push({ type: 'name', start: m.index, end: m.index + 3 });
  }
}

const CJK = /[\u3400-\u9fff\uac00-\ud7a3]/;
const HAN_AT = /[\u3400-\u9fff]/g;

export function scanCjkNames(text: string, out: PiiFinding[]): void {
  if (!CJK.test(text)) return;
  scanKorean(text, out);
  HAN_AT.lastIndex = 0;
  if (!HAN_AT.test(text)) return;
  for (let i = HAN_AT.lastIndex - 1; i < text.length; i++) {
    if (!isHanCode(text.charCodeAt(i))) continue;
    const c = text[i] as string;
    const ja = JA_BY_FIRST.get(c)?.find((f) => text.startsWith(f, i));
    if (ja !== undefined) {
      const next = scanJapanese(text, i, ja, out);
      if (next !== i) {
        i = next;
        continue;
      }
    }
    if (ZH_FAMILY_SET.has(c)) i = scanChinese(text, i, out);
  }
}
