package main

// article is a help-center entry: its title and the first sentence of its body.
type article struct {
	title, body string
}

// articleSets are the help articles a product kind gets, by set name.
var articleSets = map[string][]string{
	"smart":     {"device", "smart"},
	"portable":  {"device", "portable"},
	"brewer":    {"appliance", "descale"},
	"appliance": {"appliance"},
	"cookware":  {"cookware"},
	"textile":   {"textile"},
	"apparel":   {"textile", "apparel"},
	"outdoor":   {"outdoor"},
	"furniture": {"furniture"},
}

// productArticles are written for every product whose kind takes the set. {p} is the product's
// name, {P} the same with a capital first letter; other {placeholders} are filled per article.
var productArticles = map[string][]article{
	"device": {
		{"How to pair your {p} with the app", "Open the app, tap “Add device” and hold the button on the {p} for five seconds until the light blinks blue."},
		{"Updating the firmware on your {p}", "Updates install overnight while the {p} is charging or plugged in; you can also start one from Settings › Device › Firmware."},
		{"{P} won’t turn on", "Plug the {p} in with the supplied cable for at least 30 minutes, then hold the power button for ten seconds."},
		{"Resetting the {p} to factory settings", "A factory reset erases every setting and removes the {p} from your account, so unpair it in the app first."},
		{"Warranty for the {p}", "The {p} has a {years}-year limited warranty against manufacturing defects from the date of delivery."},
		{"Cleaning the {p}", "Wipe the {p} with a dry microfibre cloth; never use alcohol, bleach or a wet cloth."},
		{"Recycling your old {p}", "Send us your old {p} with the free WEEE label from your account and we’ll recycle it and give you 10% off your next order."},
		{"What the lights on the {p} mean", "Blinking blue means pairing mode, solid green means connected and a slow red pulse means the {p} needs attention in the app."},
	},
	"smart": {
		{"{P} keeps disconnecting from Wi-Fi", "The {p} only joins 2.4 GHz networks; if your router combines 2.4 and 5 GHz under one name, give them separate names."},
		{"Using the {p} with Alexa or Google Home", "Link your account in the Alexa or Google Home app, and the {p} appears there under the name you gave it."},
		{"Setting a schedule for the {p}", "In the app, open the {p}, tap “Schedules” and add the days and times it should switch on and off."},
		{"Sharing the {p} with your household", "Invite family members under Settings › Sharing so they can use the {p} from their own accounts."},
	},
	"portable": {
		{"Battery life of the {p}", "On a full charge the {p} runs for up to {hours} hours; cold weather and heavy use shorten that."},
		{"Using the {p} abroad", "The {p} charges from any USB-C adapter rated 100–240 V, so you only need a plug converter when you travel."},
		{"What’s in the box: {p}", "You get the {p}, a USB-C cable, a quick-start card and the safety leaflet; the mains adapter is sold separately."},
		{"Is the {p} waterproof?", "The {p} is rated IP{ip}, which protects it from splashes and rain but not from swimming or showers."},
	},
	"appliance": {
		{"{P}: first use", "Before first use, wash the removable parts of the {p} in warm soapy water and run it once empty to clear the factory smell."},
		{"Warranty for the {p}", "The {p} is guaranteed for {years} years against defects in materials and workmanship."},
		{"Spare parts for the {p}", "Seals, lids and other spare parts for the {p} are in the Spares section, listed by the serial number under the base."},
		{"Cleaning the {p}", "Unplug the {p} and let it cool before cleaning; the base must never go in water or the dishwasher."},
	},
	"descale": {
		{"Descaling your {p}", "Descale the {p} every {weeks} weeks in a hard-water area, using citric acid or our descaling tablets, never vinegar."},
	},
	"cookware": {
		{"Is the {p} dishwasher safe?", "Wash the {p} by hand: dishwashers dull blades, strip seasoning and cloud glass."},
		{"Caring for your {p}", "Dry the {p} straight after washing and store it somewhere dry to keep it looking new for years."},
		{"Warranty for the {p}", "The {p} is guaranteed for {years} years against defects in materials and workmanship."},
		{"{P}: first use", "Before first use, rinse the {p} in warm soapy water and dry it thoroughly."},
	},
	"textile": {
		{"Washing your {p}", "Machine-wash the {p} at 30 °C on a gentle cycle and dry it flat, away from direct heat."},
		{"Why is my {p} pilling?", "Some pilling in the first weeks is normal for natural fibres; a fabric comb removes it without damaging the {p}."},
		{"Materials and sourcing: {p}", "The {p} is made from certified, traceable fibres, and each batch is tested to OEKO-TEX® Standard 100."},
		{"Repairing your {p}", "We repair seams and zips on the {p} free of charge for the first {years} years; start a repair from your order page."},
	},
	"apparel": {
		{"Size guide: {p}", "If you’re between sizes in the {p}, pick the larger one; the chart lists chest, waist and length in cm and inches."},
	},
	"outdoor": {
		{"Waterproofing the {p}", "Re-proof the {p} once a season with a wash-in or spray-on treatment, after cleaning it."},
		{"Packing the {p} for a flight", "The {p} counts as checked luggage on most airlines; remove any gas canisters and batteries first."},
		{"Warranty for the {p}", "The {p} is covered for {years} years against defects; normal wear and accidental damage are not included."},
		{"Storing the {p} over winter", "Clean the {p}, let it dry completely and store it loosely in a cool, dry place to prevent mould."},
		{"Spare parts for the {p}", "Buckles, straps and other small parts for the {p} ship free from our Spares page."},
	},
	"furniture": {
		{"Assembling the {p}", "The {p} takes about {minutes} minutes to assemble with the Allen key in the box; no other tools are needed."},
		{"Caring for the {p}", "Wipe the {p} with a damp cloth and re-oil the surface once or twice a year with a natural furniture oil."},
		{"Warranty for the {p}", "The {p} is guaranteed for {years} years against structural defects."},
	},
}

// generalArticles are policy, account and order articles that fit no single product.
var generalArticles = []article{
	{"How long do refunds take?", "Refunds are issued within 3 business days of your return reaching us; your bank may take another 5–10 days to show them."},
	{"Starting a return", "Go to Orders, choose the item and press “Return”; you’ll get a prepaid label by email within a few minutes."},
	{"Our returns policy", "You can return most items within 30 days of delivery if they are unused and in their original packaging."},
	{"Items that can’t be returned", "For hygiene reasons we can’t take back opened earbuds tips, underwear or personalised items unless they are faulty."},
	{"Exchanging an item", "Exchanges for a different size or colour are free; choose “Exchange” instead of “Return” when you start the return."},
	{"Returning a gift", "Gift returns are refunded as store credit to the recipient, and the person who bought it is not notified."},
	{"Faulty items and warranty claims", "If something stops working within the warranty period, start a claim from your order page and we’ll repair or replace it."},
	{"Tracking your order", "Your tracking link is in the dispatch email and on the order page; it can take 24 hours to show the first scan."},
	{"My parcel says delivered but I can’t find it", "Check with neighbours and around your property, then wait 24 hours: couriers sometimes mark parcels delivered early."},
	{"Changing your delivery address", "You can change the address until the order is packed; after that, ask the courier to redirect it from the tracking page."},
	{"Delivery options and costs", "Standard delivery is free over €50 (£45, $55); express and next-day options are shown at checkout with their cut-off times."},
	{"Customs duties and taxes", "Orders shipped outside the EU and UK may be charged import duties on arrival, which the courier collects before delivery."},
	{"Damaged parcels", "If your parcel arrives damaged, take photos of the box and the contents before you throw anything away and contact us within 7 days."},
	{"Missing items from an order", "Large orders sometimes ship in more than one parcel; the dispatch email lists which items are in which parcel."},
	{"Payment methods we accept", "We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay and Klarna in selected countries."},
	{"Why was my payment declined?", "Most declines come from the card issuer; check the billing address matches your card exactly, then try again or call your bank."},
	{"I was charged twice", "A second charge is usually a pending authorisation that disappears on its own within 3–5 business days."},
	{"Getting a VAT invoice", "Download a VAT invoice from the order page; to add a company name or VAT number, edit your billing details before ordering."},
	{"Using a promo code", "Enter the code in the “Discount code” box at checkout; only one code can be used per order and codes can’t be applied afterwards."},
	{"Price adjustments", "If an item’s price drops within 14 days of your purchase, we’ll refund the difference once per order."},
	{"Paying in instalments", "Klarna lets you split orders over €100 into three interest-free payments, subject to approval."},
	{"Gift cards", "Gift cards are valid for 3 years from purchase and can be used on any order, together with one promo code."},
	{"Resetting your password", "Press “Forgot password?” on the sign-in page and we’ll email you a link that works for 60 minutes."},
	{"Two-factor authentication", "Turn on two-factor authentication under Account › Security to get a code by app or SMS each time you sign in."},
	{"Changing your email address", "Change your email under Account › Profile; we send a confirmation link to the new address before the change takes effect."},
	{"Deleting your account", "You can delete your account and personal data under Account › Privacy; orders still in progress are completed first."},
	{"Downloading your data", "Under Account › Privacy › Export you can request a copy of your personal data, sent as a ZIP file within 30 days."},
	{"Email preferences", "Choose which emails you get under Account › Notifications; order and security emails can’t be switched off."},
	{"Why is my account locked?", "After five wrong passwords your account is locked for 30 minutes to protect it; resetting the password unlocks it at once."},
	{"Merging two accounts", "We can merge accounts registered to two email addresses you own; contact us from both addresses to confirm."},
	{"Loyalty points", "You earn one point for every €1, £1 or $1 spent; points expire 12 months after the order that earned them."},
	{"Student discount", "Students get 15% off with a verified student email; verification takes a minute through our partner."},
	{"Corporate and bulk orders", "For 50 or more units, our business team offers volume pricing, invoicing on 30-day terms and branded packaging."},
	{"Is the app available for my phone?", "The app runs on iOS 16 or later and Android 10 or later; older versions can still use the mobile website."},
	{"The app won’t open", "Update the app from your store, restart your phone, and if it still closes at once, reinstall it; your account is kept."},
	{"Push notifications", "Allow notifications for our app in your phone’s settings, then turn on the types you want under Account › Notifications."},
	{"Supported browsers", "The website supports the last two versions of Chrome, Firefox, Safari and Edge; turn off aggressive ad blockers at checkout."},
	{"API access for business customers", "Business accounts can create API keys under Settings › Integrations; the REST API is rate-limited to 10 requests per second."},
	{"Order webhooks", "Webhooks send a signed JSON POST such as {\"event\": \"order.paid\", \"orderId\": \"...\"} to your endpoint when an order changes."},
	{"Exporting your invoices", "Export invoices as CSV or PDF from Orders › Export; on Windows the file lands in C:\\Users\\<you>\\Downloads by default."},
	{"Our sustainability commitments", "All our parcels ship in recyclable or reused packaging, and we publish our supply-chain emissions every year."},
	{"Careers at our warehouses", "We hire seasonal and permanent warehouse staff; open roles are listed on our careers page by location."},
	{"Contacting customer service", "Our team answers chat and email from 8:00 to 20:00 CET on weekdays and 9:00 to 17:00 on Saturdays."},
	{"Holiday opening hours", "Over the holidays customer service keeps shorter hours, and orders placed after 20 December may arrive in January."},
	{"Product reviews", "Only customers who bought an item can review it; reviews appear once our team has checked them, usually within 48 hours."},
	{"Press and media enquiries", "Journalists and bloggers can request images and samples from our press office; high-resolution photos are in the media kit."},
	{"Wie lange dauert die Rückerstattung?", "Wir erstatten den Betrag innerhalb von 3 Werktagen, nachdem deine Rücksendung bei uns eingetroffen ist."},
	{"¿Cómo devuelvo un artículo?", "Entra en “Mis pedidos”, elige el artículo y pulsa “Devolver”: recibirás una etiqueta prepagada por correo electrónico."},
	{"Comment suivre ma commande ?", "Le lien de suivi se trouve dans l’e-mail d’expédition ; le premier scan peut mettre 24 heures à apparaître."},
	{"Modalità di pagamento accettate", "Accettiamo Visa, Mastercard, PayPal, Apple Pay e Google Pay; in Italia anche il bonifico bancario."},
	{"Re-seasoning a cast-iron skillet", "If food starts to stick, scrub off any rust, rub in a thin layer of oil and bake the skillet upside down at 230 °C for an hour."},
	{"Sharpening your knives", "Hone knives weekly on a steel and have them sharpened once or twice a year; our shops do it free for knives bought from us."},
	{"Pre-ordering an item", "Pre-orders are charged when they ship, and you can cancel any time before that from your order page."},
	{"Back-in-stock alerts", "Press “Notify me” on a sold-out item and we’ll email you once when it’s back, without adding you to any mailing list."},
	{"Cancelling an order", "You can cancel an order from its page until it’s packed, usually within an hour of ordering."},
	{"Ordering as a guest", "You can check out without an account; to track a guest order later, use the order number and your email address."},
	{"Zahlungsmethoden in Österreich", "In Österreich kannst du zusätzlich per EPS-Überweisung oder auf Rechnung über Klarna bezahlen."},
}

// countryArticle is written for each delivery country.
var countryArticle = article{"Delivery to {country}", "Standard delivery to {country} takes {min}–{max} business days with {carrier} and costs {amount}; orders over {amount2} ship free."}

// countryCarriers are the couriers that deliver to a country; others get deliveryCarriers.
var countryCarriers = map[string]string{
	"the United Kingdom": "Royal Mail", "France": "Colissimo", "the Netherlands": "PostNL",
	"the United States": "UPS", "Canada": "Canada Post", "Australia": "DHL Express",
	"New Zealand": "DHL Express", "Japan": "DHL Express", "Iceland": "DHL Express", "Ireland": "An Post",
}

var deliveryCarriers = []string{"DHL", "DPD", "GLS", "UPS"}

// deliveryCountries are the countries that get a delivery article.
var deliveryCountries = []string{
	"the United Kingdom", "Ireland", "France", "Germany", "Austria", "Spain", "Portugal", "Italy",
	"the Netherlands", "Belgium", "Luxembourg", "Denmark", "Sweden", "Norway", "Finland", "Poland",
	"the Czech Republic", "Switzerland", "the United States", "Canada", "Australia", "New Zealand",
	"Japan", "Iceland", "Estonia",
}

// storeArticle is written for each city with a shop.
var storeArticle = article{"Our shop in {city}", "Our {city} shop ({open}) offers free collection of online orders and in-store returns."}

// storeCities are the cities with a shop.
var storeCities = []string{
	"London", "Manchester", "Dublin", "Paris", "Lyon", "Berlin", "München", "Wien", "Madrid",
	"Barcelona", "Lisboa", "Milano", "Amsterdam", "København", "Stockholm", "Zürich", "Kraków",
	"New York", "Toronto",
}

// openingHours are the shops' hours.
var openingHours = []string{
	"Monday to Saturday, 9:00–18:00", "every day from 10:00 to 19:00", "Tuesday to Sunday, 10:00–20:00",
	"Monday to Friday, 8:30–19:30, and Saturday 9:00–16:00",
}
