package main

// Ticket labels, in the order the system prompt lists them.
var ticketLabels = []string{"billing", "shipping", "returns", "account", "technical", "other"}

// ticketCounts is how many of the 240 tickets each label gets, roughly what a store's queue sees.
var ticketCounts = map[string]int{
	"billing":   44,
	"shipping":  56,
	"returns":   42,
	"account":   34,
	"technical": 42,
	"other":     22,
}

// ticketSystem is the classification instruction both ticket datasets send.
const ticketSystem = `You classify customer support tickets for an online store. Reply with exactly one label from the list below, in lowercase, and nothing else.
billing: charges, invoices, payment methods, promo codes, subscription fees
shipping: delivery times, tracking, couriers, delivery addresses, customs, damaged or missing parcels
returns: returns, exchanges, return labels, refunds for returned items, warranty claims
account: login, passwords, two-factor codes, account details, data deletion, email preferences
technical: the app, the website, the API or a product that malfunctions
other: anything else
The ticket may be written in any language.`

// openings are the first sentence of a ticket, by label. {placeholders} are filled per ticket;
// any other brace is literal text.
var openings = map[string][]string{
	"billing": {
		"I was charged twice for order {order}, {amount} each time.",
		"Why is there a {amount} charge from you on my card on {date}? I didn’t place an order that day.",
		"The invoice for order {order} has the wrong VAT number on it, can you reissue it?",
		"The promo code {code} was accepted at checkout but the discount isn’t on my receipt.",
		"My subscription renewed at {amount} even though I cancelled it on {date}.",
		"Could you send me an invoice for order {order} made out to “{company}”? Our accounts team won’t accept the receipt.",
		"Payment keeps failing with \"Card declined (code 51)\" but my bank says there is no block on the card.",
		"I paid for order {order} with PayPal and the money has left my account, but your site still says “awaiting payment”.",
		"You refunded {amount} for order {order} but I paid {amount2}, where is the rest?",
		"Is it possible to pay for the {product} in three instalments?",
		"The price of the {product} dropped by {amount} two days after I bought it. Can you refund the difference?",
		"I was charged a {amount} “service fee” on order {order} that wasn’t shown at checkout.",
		"My gift card ending {last4} shows a balance of zero but I only used it once.",
		"Why was I charged in US dollars when I paid from {country}?",
		"hi there is a pending charge of {amount} on my credit card but my order {order} was cancelled",
		"Can I change the payment method on order {order} from card to bank transfer?",
	},
	"shipping": {
		"My order {order} still says “label created” after {n} days.",
		"Tracking for {order} hasn’t moved since it left the {carrier} hub in {city}.",
		"{carrier} marked my parcel as delivered on {date} but nothing arrived 📦",
		"Do you ship to {country}? I can’t select it at checkout.",
		"Can I change the delivery address for order {order}? I moved last week.",
		"The {product} arrived today but the box was crushed and soaking wet.",
		"Only part of order {order} arrived, the {product} is missing.",
		"How long does express delivery to {city} usually take?",
		"The courier left a card saying they couldn’t get into my building. How do I rebook?",
		"My parcel is stuck in customs in {city} and {carrier} say they need a commercial invoice.",
		"I paid for next-day delivery on order {order} and it’s now day {n}.",
		"Where is my order?? {order} was supposed to be here on {date}.",
		"The tracking link in your email for order {order} goes to a {carrier} page that says “number not found”.",
		"Could you hold order {order} until I’m back from holiday on {date}?",
		"Why was I charged {amount} import duty on delivery? The checkout said duties were included.",
		"My {product} was delivered to my neighbour at number {n} without my permission.",
		"Can I collect order {order} from your warehouse in {city} instead of waiting for delivery?",
		"Order {order} shows two tracking numbers, but only one parcel has turned up.",
	},
	"returns": {
		"I’d like to return the {sized} from order {order}, it’s the wrong size.",
		"How do I get a return label? The {appliance} doesn’t fit in my kitchen.",
		"I sent the {product} back {n} days ago and still haven’t got my refund.",
		"The returns portal says order {order} is “not eligible” but it’s only been {n} days.",
		"Can I exchange the {product} for a different colour instead of getting a refund?",
		"The {powered} stopped working after two weeks. Can I return it, or is that a warranty claim?",
		"I got the {product} as a present and want to exchange it without the person who bought it finding out 🙈",
		"Do I have to pay for return shipping if the {product} was damaged when it arrived?",
		"I returned two items from order {order} but was only refunded for one.",
		"The {product} I received is not the one in the photos, the colour is completely different.",
		"My return for {order} was rejected as “used”, but I only took it out of the box.",
		"Can I return the {product} to your shop in {city} instead of posting it?",
		"I want to send back the {product}. It was a gift and I already have one.",
		"The refund for order {order} went to a card I’ve since cancelled. What happens now?",
		"The {hard} has a crack along the side and I’d like a replacement, not a refund.",
	},
	"account": {
		"I can’t log in, the password reset email never arrives at {email}.",
		"Please delete my account and all the data you hold about me (GDPR erasure request).",
		"How do I change the email on my account from {email} to my new address?",
		"My account got locked after too many login attempts.",
		"I think someone else has been using my account, there’s an order {order} I didn’t place.",
		"Two-factor codes by text message stopped arriving since I changed phones.",
		"Can you merge my two accounts? I have orders under {email} and under my work address.",
		"I'd like to stop the marketing emails but the unsubscribe link says “invalid token”.",
		"My loyalty points disappeared after I changed my name to {name} in my profile.",
		"The site says an account with {email} already exists, but I never signed up.",
		"How do I download a copy of all the data you have on me?",
		"I can’t remove an old card ending {last4} from my saved payment methods.",
		"Please change the name on my account, it’s spelled wrong (it should be {name}).",
		"I keep getting logged out of the website every few minutes.",
	},
	"technical": {
		"The app crashes every time I open my order history (iPhone, iOS {ios}).",
		"The {device} won’t pair with the app, it just says “Searching…” forever.",
		"The checkout page is blank in Firefox {ff}, the other pages are fine.",
		"The firmware update on my {device} stopped halfway and now the light only blinks red.",
		"Exporting invoices fails with \"Could not write to C:\\Users\\{user}\\Downloads\\invoices.csv\".",
		"Your API returns 500 for GET /v2/orders/{ordernum} and our integration has been down since {date}.",
		"The Android app shows “Something went wrong” when I add the {product} to my basket.",
		"The {smart} drops off the Wi-Fi every night at about {time}.",
		"The size guide page won’t load, it just spins.",
		"Push notifications stopped working after the last app update.",
		"The setup guide for the {smart} says to open \\\\nas01\\shared\\{slug}\\setup.exe, but Windows can’t find that path.",
		"Your webhook sends {\"status\": \"paid\"} but the docs say the value is \"PAID\", which one is right?",
		"The {appliance} shows error E{errcode} on the display and won’t start.",
		"Search on your website returns nothing for “{product}”, even though I can see it in the menu.",
		"The app keeps asking me to update, but the store says I already have version {appver}.",
		"The timer on my {appliance} resets itself to 00:00 whenever I close the lid.",
	},
	"other": {
		"Do you have a shop in {city}?",
		"Just wanted to say the {product} is brilliant, thank you! 😊",
		"Are you hiring at your warehouse in {city}?",
		"Is the {product} made from recycled materials?",
		"Could we order {n}0 units of the {product} for a company event? Who do I talk to about bulk pricing?",
		"What are your customer service hours over the holidays?",
		"Do you offer a student discount?",
		"I’m writing a review for my blog, could you send me high-resolution photos of the {product}?",
		"Will the {product} be back in stock before Christmas?",
		"Do you sponsor local sports clubs? We’re a youth football team in {city}.",
		"Is the {powered} suitable for a 110 V supply?",
		"I’d like to compliment {first} from your chat team, who sorted out my problem in minutes.",
	},
}

// details are later sentences that fit a label. {when} is a date of its own, not the opening’s.
var details = map[string][]string{
	"billing": {
		"I’ve attached a screenshot of my bank statement.",
		"The last four digits of the card are {last4}.",
		"I need this sorted before the end of the month for my expense report.",
		"This is the second time this has happened.",
		"I’ve checked with my bank and the payment definitely went through on {when}.",
		"The order confirmation says {amount}.",
		"Could you look into it today?",
		"Please don’t just send me a voucher, I want the money back on my card.",
	},
	"shipping": {
		"The tracking number is {tracking}.",
		"It’s a present for {when} so I really need it before then.",
		"{carrier} told me to contact you because you are the sender.",
		"Can you check with the courier?",
		"I ordered on {when}.",
		"I need it for work so it’s quite urgent.",
		"Nobody has answered my emails to the courier.",
	},
	"returns": {
		"It’s still in the original packaging with the tags on.",
		"I’d prefer store credit if that’s faster.",
		"I’ve attached photos.",
		"The order was placed on {when}.",
		"I’ve kept the receipt and the box.",
		"Please tell me what I need to do next.",
	},
	"account": {
		"My username is {user}.",
		"I’ve tried three different browsers.",
		"I’ve been a member since {year}.",
		"I’ve already tried resetting my password twice.",
		"I’m writing from a different address because I can’t get into the old one.",
	},
	"technical": {
		"I’ve already tried turning it off and on again.",
		"It worked fine until yesterday.",
		"The error ID shown is {errid}.",
		"Screenshots attached.",
		"This is the second time this month.",
		"Logs attached, the last line is `ERR sync_failed: timeout after 30s`.",
	},
	"other": {
		"Thanks for your time.",
		"I couldn’t find this in the FAQ.",
		"A quick answer would be great.",
	},
}

// extras are sentences any ticket may carry.
var extras = []string{
	"I’ve been a customer for {years} years and this has never happened before.",
	"Please get back to me as soon as possible.",
	"I already tried the live chat but nobody answered.",
	"This is really frustrating 😡",
	"Thanks in advance 🙏",
	"My order number is {order} in case you need it.",
	"Please reply by email, I can’t take calls at work.",
	"Any help appreciated!",
}

// greetings open a ticket; the empty one means none.
var greetings = []string{"", "", "", "", "Hi,", "Hello,", "Hi team,", "Good morning,", "Hey", "Hey there,", "Dear Customer Service,"}

// signoffs close a ticket; {first} and {name} are the customer's.
var signoffs = []string{"", "", "", "", "Thanks, {first}", "Regards,\n{name}", "– {first}", "Cheers", "Many thanks,\n{name}", "Best, {first}"}

// foreign are whole tickets in other languages, with their labels.
var foreign = []labeled{
	{"billing", "Hola, me han cobrado dos veces el pedido {order}. ¿Pueden devolverme uno de los cargos? Gracias."},
	{"billing", "Olá, fui cobrado {amount} mas o pedido {order} foi cancelado. Quando recebo o reembolso?"},
	{"shipping", "Mi pedido {order} lleva {n} días “en tránsito” y nadie me da información. ¿Dónde está mi paquete?"},
	{"shipping", "Bonjour, le colis {order} est indiqué comme livré mais je ne l’ai jamais reçu. Pouvez-vous vérifier auprès de {carrier} ?"},
	{"shipping", "注文番号{order}の商品がまだ届いていません。配送状況を確認していただけますか。"},
	{"returns", "Guten Tag, ich möchte den Artikel aus Bestellung {order} zurückschicken, er ist leider zu groß. Wie bekomme ich ein Rücksendeetikett?"},
	{"returns", "Buongiorno, ho restituito il reso dell’ordine {order} tre settimane fa e non ho ancora ricevuto il rimborso."},
	{"account", "Bonjour, je n’arrive plus à me connecter à mon compte, le lien de réinitialisation a expiré. Pouvez-vous m’aider ?"},
	{"account", "Hallo, bitte löschen Sie mein Kundenkonto ({email}) und alle gespeicherten Daten. Danke!"},
	{"technical", "Die App stürzt ab, sobald ich auf „Bestellungen“ tippe. Ich nutze ein Samsung Galaxy S23 mit Android 14."},
	{"technical", "La aplicación se cierra sola cuando intento pagar con Apple Pay. Ya la reinstalé y sigue igual."},
	{"other", "Buongiorno, avete un negozio a Milano? Vorrei vedere il prodotto dal vivo prima di comprarlo."},
	{"other", "Hej! Har ni planer på att öppna en butik i Göteborg? 😊"},
}

// labeled is a text written for a label.
type labeled struct {
	label, text string
}

// product is something the store sells. Its kind decides which tickets may name it and which
// help articles are written for it.
type product struct {
	name, slug, kind string
}

var products = []product{
	{"Nordlys desk lamp", "nordlys-lamp", "smart"},
	{"Orbit smart plug", "orbit-plug", "smart"},
	{"Dusk robot vacuum", "dusk-vacuum", "smart"},
	{"Breeze tower fan", "breeze-fan", "smart"},
	{"Halo video doorbell", "halo-doorbell", "smart"},
	{"Aura air purifier", "aura-purifier", "smart"},
	{"Pulse wireless headset", "pulse-headset", "portable"},
	{"Pico 4K action camera", "pico-camera", "portable"},
	{"Stride fitness watch", "stride-watch", "portable"},
	{"Tempo Bluetooth speaker", "tempo-speaker", "portable"},
	{"Lumo e-reader", "lumo-reader", "portable"},
	{"Kettle Pro 1.7 L", "kettle-pro", "brewer"},
	{"Vela espresso machine", "vela-espresso", "brewer"},
	{"Whirl high-speed blender", "whirl-blender", "appliance"},
	{"Crisp air fryer", "crisp-fryer", "appliance"},
	{"Hearth cast-iron skillet", "hearth-skillet", "cookware"},
	{"Santoku knife set", "santoku-set", "cookware"},
	{"Bloom pour-over set", "bloom-pourover", "cookware"},
	{"Sable wool throw", "sable-throw", "textile"},
	{"linen duvet cover (king)", "linen-duvet", "textile"},
	{"merino base layer", "merino-base", "apparel"},
	{"Cirrus rain jacket", "cirrus-jacket", "apparel"},
	{"Drift down jacket", "drift-jacket", "apparel"},
	{"Atlas 65 L backpack", "atlas-65", "outdoor"},
	{"Summit 2-person tent", "summit-tent", "outdoor"},
	{"Ember sleeping bag", "ember-bag", "outdoor"},
	{"Oslo oak side table", "oslo-table", "furniture"},
	{"Bergen bookshelf", "bergen-shelf", "furniture"},
}

// productGroups are the ticket placeholders that name a product, and the kinds each may take.
var productGroups = map[string][]string{
	"product":   {"smart", "portable", "brewer", "appliance", "cookware", "textile", "apparel", "outdoor", "furniture"},
	"device":    {"smart", "portable"},
	"smart":     {"smart"},
	"powered":   {"smart", "portable", "brewer", "appliance"},
	"appliance": {"brewer", "appliance"},
	"sized":     {"apparel"},
	"hard":      {"smart", "portable", "brewer", "appliance", "cookware", "furniture"},
}

var firstNames = []string{
	"José", "Zoë", "Björn", "Renée", "Søren", "Aoife", "Łukasz", "Priya", "Wei", "Fatima",
	"Jürgen", "Mariana", "Siobhán", "François", "Ana", "Tomás", "Ngozi", "Hiroshi", "Emily", "Michael",
	"Sarah", "David", "Olivia", "Liam", "Chloé", "Mateo", "Ines", "Kwame", "Anja", "Noah",
}

var lastNames = []string{
	"Núñez", "Clarke", "Larsson", "Dubois", "Madsen", "O’Brien", "Nowak", "Raman", "Chen", "Al-Sayed",
	"Müller", "Peña", "Kelly", "Lefèvre", "García", "Ruiz", "Okafor", "Tanaka", "Carter", "O'Neil",
	"Johnson", "Kim", "Smith", "Walsh", "Rossi", "Fernández", "Schäfer", "Mensah", "Kowalski", "Brown",
}

// cityCarriers are the cities a ticket may name and the couriers that work there.
var cityCarriers = map[string][]string{
	"Leeds":     {"Royal Mail", "DPD", "Evri"},
	"Dublin":    {"An Post", "DPD"},
	"Rotterdam": {"PostNL", "DHL"},
	"Lyon":      {"La Poste", "Colissimo", "Chronopost"},
	"Bordeaux":  {"La Poste", "Colissimo"},
	"Leipzig":   {"DHL", "Hermes", "GLS"},
	"Zürich":    {"Swiss Post", "DHL"},
	"Madrid":    {"Correos", "SEUR"},
	"Kraków":    {"InPost", "DPD"},
	"Göteborg":  {"PostNord", "DHL"},
	"Malmö":     {"PostNord", "Budbee"},
	"São Paulo": {"Correios", "FedEx"},
	"Memphis":   {"FedEx", "UPS", "USPS"},
	"Denver":    {"UPS", "USPS"},
	"Toronto":   {"Canada Post", "Purolator"},
	"Auckland":  {"NZ Post", "DHL"},
}

var countries = []string{"Iceland", "Mexico", "Norway", "Switzerland", "Japan", "Chile", "Türkiye", "Réunion", "Canada", "Australia"}

var companies = []string{"Brightwell Ltd", "Müller & Söhne GmbH", "Café Olé S.L.", "Northwind Traders", "Kowalski Design Sp. z o.o.", "Blue Fern Studio"}

var promoCodes = []string{"WELCOME10", "BLACKFRIDAY25", "SPRING-15", "FREESHIP", "STUDENT20", "VIP30"}

var mailDomains = []string{"gmail.com", "outlook.com", "proton.me", "web.de", "yahoo.co.uk", "icloud.com", "gmx.at"}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
