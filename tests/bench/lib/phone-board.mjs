// A realistic board for the phone benchmark (B11): Finnish experiment ideas in a Jalostamo workshop's three lanes
// (families with children, young adults, participation and democracy), written by many participants, some grouped
// into clusters, as board/model.ts writes them (addNote's shape with `order`, createCluster's). One Yjs update.
import * as Y from 'yjs';

// The programme documents' words (shared/context: Jalostamo, Mukana, Kannelmäki, MEK): one list of ideas per lane.
const ideas = [
	[
		'Maahanmuuttajaäidit harjoittelevat suomea lukemalla satuja päiväkodissa',
		'Kielen opiskelu osana oman lapsen kieliopetusta',
		'Perheille yksi yhteinen yhteyshenkilö palveluviidakkoon',
		'Lasten ja nuorten turvallisuuskävelyt koulun ja huoltajien kanssa',
		'Perhekeskuksen ilta-aukiolo kerran viikossa, jotta työssäkäyvät vanhemmat ehtivät',
		'Vertaisryhmä yksinhuoltajille: lastenhoito järjestetty tapaamisen ajaksi',
		'Neuvolan ja varhaiskasvatuksen yhteinen kotikäynti ennen päiväkodin alkua',
		'Leikkipuiston ohjaaja tavoittaa perheet, jotka eivät tule palveluihin itse',
		'Harrastusseteli lapsiperheille, joiden tulot ovat pienet',
		'Kirjaston satutuokiot useammalla kielellä',
		'Kouluruokailu auki myös loma-aikoina alueen lapsille',
		'Perheiden kohtaamispaikka ostoskeskukseen, ei vain virastoon',
		'Lapsiperheköyhyys näkyväksi: koulun kulut ilman piilomaksuja',
		'Vanhempainillat tulkin kanssa ja lastenhoito paikan päällä',
		'Kotoutumisen tuki koko perheelle, ei vain aikuisille erikseen',
		'Kummiperheet vasta muuttaneille perheille alueella',
		'Matalan kynnyksen perheneuvonta chatissa iltaisin',
		'Päiväkodin pihat iltakäyttöön lähiön perheille',
		'Isät mukaan: isä–lapsi-liikuntavuorot viikonloppuisin',
		'Asumisneuvoja tavoittaa perheen ennen häätöuhkaa'
	],
	[
		'Nuorten aikuisten palveluille yhteinen budjetti ja yhteisjohtaminen',
		'Selkeä reitti järjestelmäviidakon läpi: yksi ovi nuorelle',
		'Matalan kynnyksen olohuone nuorille aikuisille ostoskeskukseen',
		'Kanneltalon edusta viihtyisämmäksi nuorten toiveiden pohjalta',
		'Jokaiselle nuorelle vähintään yksi turvallinen aikuinen koulun jälkeen',
		'Toisen asteen keskeyttämisen uhka tunnistetaan jo syksyllä',
		'Työkokeilu yhdistettynä ammattiopiston opintoihin',
		'Nuorten oma budjetti alueen tapahtumille, päätökset nuorilta',
		'Mielenterveyden tuki ilman lähetettä ja jonoa',
		'Etsivä nuorisotyö iltaisin kauppakeskuksissa ja asemilla',
		'Vuokra-asunto ja asumisen tuki samasta paikasta nuorelle',
		'Kesätyöseteli myös 18–24-vuotiaille',
		'Harrastus kaikille: maksuton liikuntavuoro koulun salissa iltaisin',
		'Mentorit alueen yrityksistä ensimmäiseen työpaikkaan',
		'Digituki nuorille aikuisille Kela- ja TE-asioinnissa',
		'Velkaneuvonta nuorille ennen kuin maksuhäiriö syntyy',
		'Nuorisotalo auki myöhään perjantaisin',
		'Vertaisohjaajat nuorista, jotka ovat itse selvinneet palveluviidakosta',
		'Koulun jälkeinen ohjaus kesällä, kun opinnot ovat tauolla',
		'Kulttuurilaitokset tuovat työpajoja lähiöihin, ei keskustaan'
	],
	[
		'Asukkaiden tieto ja toiveet säännöllisesti johtoryhmien asialistoille',
		'Osallisuus asenteena: kuntalaisten aktiivisuus riemuna, ei riesana',
		'Paikallisten toimijoiden laadullinen tieto aluejohtamisen tueksi',
		'Osallistuva budjetointi jokaiseen kaupunginosaan',
		'Asukasraati valmistelee yhden päätöksen vuodessa',
		'Päätösten perustelut selkokielellä ja useammalla kielellä',
		'Alueen yhteinen tilannekuva: rekisteritieto ja asukkaiden kokemus rinnakkain',
		'Kysely ei riitä: mennään sinne, missä ihmiset jo ovat',
		'Nuorisovaltuusto mukaan lautakuntien valmisteluun',
		'Avoimet tilat järjestöjen ja asukkaiden käyttöön ilman vuokraa',
		'Aluefoorumi kahdesti vuodessa, palaute siitä mitä tapahtui',
		'Luottamus syntyy, kun palautteeseen vastataan näkyvästi',
		'Kokeiluraha asukasryhmille pienin hakemuksin',
		'Kirjasto demokratian olohuoneena: keskustelut ja vaalipaneelit',
		'Eri toimialojen työntekijät samaan tilaan alueella',
		'Vanhoja toimintatapoja roskalaatikkoon: kokeillaan ensin, päätetään sitten',
		'Vaikutusten seuranta kolmella tasolla: asukkaat, toimijat, instituutiot',
		'Kouluissa oppilaskunnat mukaan lähiympäristön suunnitteluun',
		'Asukkaiden kävelykierros päättäjien kanssa',
		'Verkkoalusta, jossa näkyy mitä ideoille tapahtui'
	]
];
const places = ['Kontulassa', 'Mellunmäessä', 'Malmilla', 'Kannelmäessä', 'Malminkartanossa', 'Meri-Rastilassa', 'Vuosaaressa', 'Myyrmäessä', 'Hakunilassa', 'Tikkurilassa'];
const tails = [
	'',
	'',
	'',
	' – kokeillaan ensin yhdellä alueella',
	'. Kumppaneiksi järjestöt ja seurakunta.',
	'. Mitataan tavoittaako se ne, jotka jäävät nyt ulkopuolelle.',
	' (syksyn aikana, kolme kuukautta)',
	'. Tärkeää että nuoret itse suunnittelevat.',
	'. Voisi yhdistää olemassa olevaan toimintaan, ei uutta hallintoa.',
	'!'
];
const colors = ['yellow', 'green', 'blue', 'pink', 'orange', 'purple'];
const clusterNames = [
	['Kieli ja kotoutuminen', 'Yksi ovi palveluihin', 'Arjen tuki perheille', 'Tilat ja kohtaamiset', 'Talous ja köyhyys', 'Koulu ja varhaiskasvatus', 'Liikunta ja harrastukset', 'Tavoittaminen'],
	['Koulutus ja työ', 'Asuminen', 'Mielenterveys', 'Olohuoneet ja tilat', 'Johtaminen ja budjetti', 'Ohjaus', 'Harrastukset', 'Raha-asiat'],
	['Asukkaiden tieto päätöksiin', 'Budjetointi', 'Tilat', 'Nuorten vaikuttaminen', 'Palaute ja luottamus', 'Seuranta', 'Kokeilukulttuuri', 'Kohtaamiset']
];

/**
 * A board of `noteCount` notes in the given lanes (perspective ids), `clustersPerLane` clusters of 3–6 notes in each
 * lane, written by `authors` participants (each note its own transaction). Returns the update and, per lane, how
 * many notes it holds (loose and clustered).
 */
export function phoneBoard(laneIds, { noteCount = 300, clustersPerLane = 6, authors = 24, start = 1_760_000_000_000 } = {}) {
	const docs = Array.from({ length: authors }, () => new Y.Doc());
	const notesOf = (doc) => doc.getMap('notes');
	const perLane = Object.fromEntries(laneIds.map((id) => [id, 0]));
	const byLane = laneIds.map(() => []);
	for (let n = 0; n < noteCount; n++) {
		const l = n % laneIds.length;
		const a = (n * 7) % authors;
		const list = ideas[l];
		const base = list[(n * 11 + Math.floor(n / 7)) % list.length];
		const place = n % 3 === 0 ? ` ${places[n % places.length]}` : '';
		const text = `${base}${place}${tails[(n * 13) % tails.length]}`;
		const id = `note-${String(n).padStart(4, '0')}-${a}`;
		const createdAt = start + n * 4000;
		docs[a].transact(() => {
			const note = new Y.Map();
			for (const [key, value] of Object.entries({
				text,
				lane: laneIds[l],
				color: colors[(n * 5) % colors.length],
				clusterId: null,
				authorId: `bench-author-${a}`,
				authorName: `Osallistuja ${a + 1}`,
				createdAt,
				order: createdAt
			}))
				note.set(key, value);
			notesOf(docs[a]).set(id, note);
		});
		perLane[laneIds[l]]++;
		byLane[l].push({ id, author: a });
	}
	// The grouping phase: a facilitator groups some of each lane's notes (3–6 per cluster), in one client.
	const facilitator = new Y.Doc();
	const updates = docs.map((doc) => Y.encodeStateAsUpdate(doc));
	Y.applyUpdate(facilitator, Y.mergeUpdates(updates));
	let clusters = 0;
	laneIds.forEach((lane, l) => {
		let at = 0;
		for (let c = 0; c < clustersPerLane; c++) {
			const size = 3 + ((c * 5 + l) % 4);
			const members = byLane[l].slice(at, at + size);
			at += size + 2; // a couple of loose notes between the groups
			const clusterId = `cluster-${l}-${c}`;
			facilitator.transact(() => {
				const cluster = new Y.Map();
				cluster.set('name', clusterNames[l][c % clusterNames[l].length]);
				cluster.set('lane', lane);
				cluster.set('createdAt', start + 2_000_000 + clusters * 1000);
				facilitator.getMap('clusters').set(clusterId, cluster);
				for (const { id } of members) notesOf(facilitator).get(id).set('clusterId', clusterId);
			});
			clusters++;
		}
	});
	const update = Y.encodeStateAsUpdate(facilitator);
	for (const doc of [...docs, facilitator]) doc.destroy();
	return { update, perLane, clusters };
}
