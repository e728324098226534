// The shipped watch: diplomatic expulsions and restrictions, and intelligence services
// working on diplomats. Terms come from the domain (how wire services and Russian outlets
// write these stories), not from the evaluation items. Most queries pair an action with a
// diplomatic object through NEAR, because each word alone is everyday news: schools expel
// pupils, embassies host receptions, intelligence agencies recruit linguists.
import type { Watch } from "../types.js";

// Who or what is "diplomatic". Porter conflates "diplomatic" with "diplomat", which is wanted:
// "diplomatic status" and "diplomatic cover" name the same world as "diplomats".
const DIPLOMATIC_EN =
  '(diplomat OR embassy OR envoy OR ambassador OR attaché OR consul OR consulate OR consular OR "chargé d\'affaires" OR "deputy chief of mission" OR "trade mission" OR "trade representative" OR "trade official")';
// "посол" also finds посла/послу/послы (pinned in stem-word.ts, away from "после").
const DIPLOMATIC_RU =
  '(дипломат* OR посол OR посольств* OR консул* OR генконсул* OR атташе OR "поверенный в делах" OR дипмисси* OR диппредставительств* OR торгпредств*)';

const EXPEL_EN = '(expel OR expulsion OR "kick out" OR "throw out" OR "persona non grata" OR undesirable)';
const EXPEL_RU = '(высылка OR выслать OR выдвор* OR "персона нон грата")';

// Being told to go: "ordered the diplomats to leave", "told the envoy to depart".
// The order and the verb may sit a clause apart: "ordered two members of the embassy's staff to leave".
const ORDERED_OUT_EN = '((order OR tell OR told OR ask OR instruct) NEAR/12 (leave OR depart OR "go home" OR out))';
const SENT_HOME_EN = '("sent home" OR "send home" OR "sent back" OR "send back")';

const INTEL_EN =
  '(intelligence OR "special services" OR "security services" OR "secret services" OR "security police" OR "secret police" OR spy OR espionage OR counterintelligence OR MI5 OR MI6 OR CIA OR FBI OR FSB OR SVR OR GRU OR KGB)';
// What services do to a diplomat they want as a source: approach, press, offer "cooperation",
// ask them to inform or to work for them, threaten or compromise them.
const PRESSURE_EN =
  '(recruit OR approach OR pressure OR pressurise OR pressurize OR press OR force OR persuade OR lure OR threaten OR threat OR intimidate OR intimidation OR blackmail OR harass OR coerce OR coercion OR bribe OR provocation OR detain OR detention OR cooperation OR "to cooperate" OR "work for" OR "inform on" OR "report on" OR informant OR informer OR "honey trap" OR kompromat)';
const INTEL_RU = "(спецслужб* OR разведк* OR разведыват* OR контрразвед* OR шпион* OR МИ5 OR МИ6 OR ЦРУ OR ФБР OR ФСБ OR СВР OR ГРУ OR КГБ)";
const PRESSURE_RU = "(вербовка OR вербовать OR давлен* OR угроз* OR угрожа* OR шантаж* OR провокац* OR запугива* OR преследова* OR склонить OR склоня* OR задержа*)";

// Fiction and screen are the common non-news sources of "spy" next to "ambassador".
const NOT_FICTION_EN =
  '-novel -thriller -film -movie -drama -book -"box office" -premiere -episode -game -museum -exhibition';
const NOT_FICTION_RU = "-роман -фильм -сериал -книга -детектив -кино*";

// The ordinary closures: a mission shutting itself for a holiday, repairs or a protest outside
// is not a reprisal.
const NOT_HOLIDAY_EN =
  '-holiday -holidays -weekend -"national day" -"independence day" -christmas -easter -temporarily -renovation -maintenance -protest -protesters';
const NOT_HOLIDAY_RU = "-праздни* -выходн* -каникул* -временно -ремонт* -акци*";

// "Expel" has an everyday sense: schools, clubs and universities expel members, a diplomat's
// child among them. A state expelling a diplomat is never reported in those words.
const NOT_INSTITUTION_EN = "-school -pupil -pupils -student -students -club -university -college";
const NOT_INSTITUTION_RU = "-школ* -ученик* -студент* -клуб* -университет* -вуз*";

// Embassies telling their own nationals to leave a country is travel advice, not an expulsion.
// "nationals" only as a phrase: "a German national" executed abroad is a cause of expulsions.
const NOT_TRAVEL_ADVICE_EN = '-citizens -tourists -"its nationals" -"their nationals" -"own nationals" -"travel advice"';
const NOT_TRAVEL_ADVICE_RU = "-рекоменд* -призва* -призыва* -россиян* -соотечественник* -турист*";

export const defaultWatch: Watch = {
  topics: [
    {
      id: "expulsions",
      name: "Expulsions of diplomats",
      threshold: 1,
      queries: [
        `${EXPEL_EN} NEAR/8 ${DIPLOMATIC_EN} ${NOT_INSTITUTION_EN} ${NOT_FICTION_EN}`,
        `"persona non grata" ${DIPLOMATIC_EN}`,
        `(${ORDERED_OUT_EN} OR ${SENT_HOME_EN}) NEAR/8 ${DIPLOMATIC_EN} ${NOT_TRAVEL_ADVICE_EN}`,
        // Barring an envoy's return or entry is an expulsion in all but name.
        "((bar OR barred OR ban OR banned OR forbid OR block OR blocked) NEAR/4 (ambassador OR envoy OR diplomat)) NEAR/6 (return OR returning OR enter OR entering OR entry)",
        `(("not be allowed" OR "not allowed" OR "not be permitted" OR "not permitted" OR "denied entry" OR "refused entry") NEAR/4 (back OR return OR enter OR entry)) NEAR/10 ${DIPLOMATIC_EN}`,
        `("tit for tat" OR reciprocal OR retaliation OR retaliate OR retaliatory OR mirror OR "in kind") NEAR/8 (${EXPEL_EN} OR ${DIPLOMATIC_EN})`,
        '(downgrade OR sever OR "break off" OR "broke off") NEAR/4 ("diplomatic relations" OR "diplomatic ties")',
        // Between states, "breaks off relations" needs no adjective.
        '(sever OR "break off" OR "breaks off" OR "broke off") NEAR/2 relations',
        `${EXPEL_RU} NEAR/8 ${DIPLOMATIC_RU} ${NOT_INSTITUTION_RU} ${NOT_FICTION_RU}`,
        `"персона нон грата" ${DIPLOMATIC_RU}`,
        `(ответн* OR зеркальн* OR "в ответ") NEAR/8 (${EXPEL_RU} OR ${DIPLOMATIC_RU})`,
        `покинуть NEAR/10 ${DIPLOMATIC_RU} ${NOT_TRAVEL_ADVICE_RU}`,
        `((запрет* OR запрети*) NEAR/4 (въезд* OR возвращ* OR вернуться)) NEAR/8 ${DIPLOMATIC_RU}`,
        '(разорвать OR разрыв* OR понизить OR понижени*) NEAR/4 ("дипломатических отношений" OR "уровень отношений")',
      ],
    },
    {
      id: "diplomatic-restrictions",
      name: "Restrictions on diplomats and missions",
      threshold: 1,
      queries: [
        '(strip OR remove OR revoke OR withdraw OR withdrew OR end OR lose OR lost OR deprive OR "no longer") NEAR/8 ("diplomatic status" OR "diplomatic immunity" OR "diplomatic privileges" OR "diplomatic property" OR "diplomatic premises")',
        "(closes* OR closed* OR closing* OR closure* OR shut* OR \"to close\" OR \"will close\" OR suspend* OR halt*) NEAR/6 (visa NEAR/2 (centre OR office OR operations OR services OR section))",
        `((deny OR refuse OR reject OR revoke OR cancel OR withhold OR withheld OR stop OR suspend OR halt OR "not renewed" OR "not extended" OR "not issued" OR "not renew" OR "won't renew" OR "will not renew" OR "refuses to renew") NEAR/5 visa) NEAR/10 ${DIPLOMATIC_EN}`,
        `(tax NEAR/3 (exemption OR exempt OR break OR breaks OR privileges OR immunity)) NEAR/12 ${DIPLOMATIC_EN}`,
        `(closes* OR closed* OR closing* OR closure* OR shut* OR "to close" OR "will close" OR "withdraw consent" OR "withdrew consent") NEAR/6 (consulate OR consular OR embassy OR "diplomatic mission" OR "trade mission") ${NOT_HOLIDAY_EN}`,
        `((cap OR cut OR reduce OR limit OR slash) NEAR/4 (staff OR staffing OR headcount OR personnel OR presence)) NEAR/8 ${DIPLOMATIC_EN}`,
        // "Parity" is the word of staff-number disputes between missions.
        `parity NEAR/8 ${DIPLOMATIC_EN}`,
        // Police entering a mission breaks its inviolability (Vienna Convention, art. 22).
        '(police OR officers OR "security forces" OR troops OR agents) ((search OR searched OR raid OR raided OR storm OR stormed) NEAR/6 (embassy OR consulate OR "trade mission" OR "diplomatic premises" OR "diplomatic property" OR "diplomatic compound"))',
        // The host state ordering a mission to stop or close something.
        '((order OR ordered OR orders OR bar OR barred OR forbid OR forbade) NEAR/4 (consulate OR embassy OR "diplomatic mission" OR "trade mission")) NEAR/6 (stop OR cease OR halt OR close OR closing OR suspend)',
        '(seize OR confiscate OR "deny access" OR "denied access" OR search) NEAR/6 ("diplomatic property" OR "diplomatic compound" OR "diplomatic residence" OR "diplomatic premises")',
        // A host state taking a mission's building: "take over the building used by the embassy".
        `((seize OR confiscate OR "take over" OR "takes over" OR "took over" OR occupy OR repossess OR evict) NEAR/6 (building OR buildings OR property OR premises OR compound OR residence OR dacha OR school)) NEAR/8 ${DIPLOMATIC_EN}`,
        `((bar OR ban OR forbid OR prohibit OR stop) NEAR/4 (hire OR hiring OR employ)) NEAR/12 ${DIPLOMATIC_EN}`,
        // Host states confine diplomats to a radius or make them announce every trip.
        `((restrict OR restriction OR limit OR curb OR ban OR confine OR "advance notice" OR notify OR notification) NEAR/6 (movement OR movements OR travel OR travels OR travelling OR trips)) NEAR/10 ${DIPLOMATIC_EN}`,
        // Accreditation is also a press term: it counts only next to a diplomatic word.
        `(accreditation NEAR/6 (refuse OR deny OR withdraw OR withdrew OR revoke OR strip OR cancel OR suspend OR renew OR "not renewed" OR "not extended")) NEAR/10 ${DIPLOMATIC_EN}`,
        '(лишил* OR лишить* OR лишен* OR лишат* OR лишает* OR отмен* OR отозва*) NEAR/6 ("дипломатический статус" OR "дипломатический иммунитет" OR "дипломатическая собственность" OR дипсобственност*)',
        `((занял* OR заняли OR захват* OR изъя* OR конфиск* OR арестова* OR выселя* OR выселил*) NEAR/6 (здани* OR имуществ* OR собственност* OR помещени* OR резиденци* OR дач* OR школ*)) NEAR/8 ${DIPLOMATIC_RU}`,
        '(закры* OR приостан*) NEAR/6 ("визовый центр" OR "визовые операции" OR "выдача виз" OR "выдачу виз")',
        `((отказ* OR "не выдают" OR "не выдает" OR "не продлил" OR "не продлевают" OR аннулир*) NEAR/5 виза) NEAR/10 ${DIPLOMATIC_RU}`,
        `("налоговые льготы" OR "налоговый иммунитет" OR "налоговые привилегии" OR (освобожд* NEAR/3 налог*)) NEAR/12 ${DIPLOMATIC_RU}`,
        `(закры* OR "отозвать согласие" OR "отозвала согласие" OR "отозвал согласие") NEAR/6 (консульств* OR генконсульств* OR посольств* OR дипмисси* OR торгпредств*) ${NOT_HOLIDAY_RU}`,
        `((ограничени* OR ограничи* OR уведомл* OR уведомительн*) NEAR/6 (передвижени* OR перемещени* OR поездк*)) NEAR/10 ${DIPLOMATIC_RU}`,
        `(аккредитац* NEAR/6 (отказ* OR отозва* OR отзыв* OR лиши* OR аннулир* OR продл* OR приостанов*)) NEAR/10 ${DIPLOMATIC_RU}`,
        `((сокра* OR ограничи* OR квот*) NEAR/4 (численност* OR штат* OR персонал* OR сотрудник*)) NEAR/8 ${DIPLOMATIC_RU}`,
      ],
    },
    {
      id: "intelligence-approaches",
      name: "Intelligence services and diplomats",
      threshold: 1,
      queries: [
        `${INTEL_EN} (${PRESSURE_EN} NEAR/8 ${DIPLOMATIC_EN}) ${NOT_FICTION_EN}`,
        `(spy OR espionage OR "spy ring" OR "intelligence officer" OR "intelligence activity" OR "intelligence activities" OR "intelligence gathering") NEAR/8 ${DIPLOMATIC_EN} ${NOT_FICTION_EN}`,
        '"diplomatic cover"',
        `${INTEL_RU} (${PRESSURE_RU} NEAR/8 ${DIPLOMATIC_RU}) ${NOT_FICTION_RU}`,
        `(шпион* OR шпионаж* OR разведчик* OR "дипломатическим прикрытием") NEAR/8 ${DIPLOMATIC_RU} ${NOT_FICTION_RU}`,
        // "Вербовка" is covert recruitment only; ordinary hiring is "набор" or "найм".
        `(вербовка OR вербовать) NEAR/8 ${DIPLOMATIC_RU} ${NOT_FICTION_RU}`,
      ],
    },
    {
      id: "envoys",
      name: "Envoys Kelin and Antonov on these",
      threshold: 1,
      queries: [
        '(Kelin OR "Anatoly Antonov" OR (Antonov NEAR/6 (ambassador OR envoy))) (expel OR expulsion OR "persona non grata" OR visa OR tax OR intelligence OR "special services" OR spy OR espionage OR recruit OR pressure OR threat OR provocation OR "diplomatic property" OR "diplomatic status" OR consulate OR retaliation OR reciprocal OR "tit for tat")',
        '(Келин* OR "Анатолий Антонов" OR (Антонов* NEAR/6 посол)) (высылка OR выслать OR "персона нон грата" OR виза OR налог* OR спецслужб* OR разведк* OR шпион* OR вербовка OR давлен* OR угроз* OR провокац* OR "ответные меры" OR "зеркальные меры" OR дипсобственност* OR консульств*)',
      ],
    },
  ],
};
