//! Who the customer is, found in prose: names, companies, roles and who
//! decides, in the shapes customers write them. Apart from the tests of
//! the other fields so that each test file stays short.

use super::*;

#[test]
fn names_and_companies_from_their_phrases() {
    let cases: &[(&str, &[(FieldName, &str)])] = &[
        ("my name is John Smith", &[(Name, "John Smith")]),
        ("me llamo María José", &[(Name, "María José")]),
        ("soy Pedro", &[(Name, "Pedro")]),
        ("hola soy pedro", &[(Name, "pedro")]),
        ("I'm the CEO", &[(Authority, "I'm the CEO")]),
        ("soy el dueño", &[(Authority, "soy el dueño")]),
        ("I work at Acme", &[(Company, "Acme")]),
        ("trabajo en Acme", &[(Company, "Acme")]),
        ("trabajo en compras", &[(Authority, "trabajo en compras")]),
        (
            "soy Laura de la empresa Textiles Norte",
            &[(Name, "Laura"), (Company, "Textiles Norte")],
        ),
        ("our company is Globex.", &[(Company, "Globex")]),
        (
            "mi empresa se llama panadería rosita",
            &[(Company, "panadería rosita")],
        ),
        (
            "I'm Tom from ACME S.A. de C.V., we need a CRM",
            &[
                (Name, "Tom"),
                (Company, "ACME S.A. de C.V."),
                (Need, "a CRM"),
            ],
        ),
        ("I'm Ana from Spain", &[(Name, "Ana")]),
        (
            "hi im mike from joes pizza we want a bot to take orders",
            &[
                (Name, "mike"),
                (Company, "joes pizza"),
                (Need, "a bot to take orders"),
            ],
        ),
        (
            "I'm Ana and I'm the owner",
            &[(Name, "Ana"), (Authority, "I'm the owner")],
        ),
        (
            "soy Ana, la dueña",
            &[(Name, "Ana"), (Authority, ", la dueña")],
        ),
        (
            "Hey, it's Sam over at Bluefin Charters",
            &[(Name, "Sam"), (Company, "Bluefin Charters")],
        ),
        (
            "Hello, this is Mike from Northwind",
            &[(Name, "Mike"), (Company, "Northwind")],
        ),
        (
            "G'day, Jake here from Coastline Motors",
            &[(Name, "Jake"), (Company, "Coastline Motors")],
        ),
        (
            "Hi there, Sophie from Wild Fern Skincare",
            &[(Name, "Sophie"), (Company, "Wild Fern Skincare")],
        ),
        (
            "Hola! Andrea Vidal, gerente comercial en Grupo Altamar",
            &[
                (Name, "Andrea Vidal"),
                (Company, "Grupo Altamar"),
                (Authority, "gerente comercial en Grupo Altamar"),
            ],
        ),
        (
            "Buenas tardes, soy la licenciada Mariana Téllez",
            &[(Name, "Mariana Téllez")],
        ),
        (
            "Hola, habla Constanza Rivas de Viña Sur Propiedades",
            &[(Name, "Constanza Rivas"), (Company, "Viña Sur Propiedades")],
        ),
        (
            "un estudio de pilates que se llama Core Studio",
            &[(Company, "Core Studio")],
        ),
        (
            "I run a property agency in Manchester called Northgate Homes",
            &[(Company, "Northgate Homes")],
        ),
        (
            "mi nombre es jhon fredy, tengo una distribuidora",
            &[(Name, "jhon fredy")],
        ),
        ("depende de mi jefe", &[(Authority, "depende de mi jefe")]),
    ];
    check(cases);
}

#[test]
fn a_company_on_its_own_clause_or_line_after_the_name() {
    let asked_name: &[(&str, &[(FieldName, &str)])] = &[
        (
            "Raj, Sunrise Travels",
            &[(Name, "Raj"), (Company, "Sunrise Travels")],
        ),
        ("Ana, Acme", &[(Name, "Ana"), (Company, "Acme")]),
        // A role, a thank-you or a need after the name is not a company.
        ("Ana, Sales Manager", &[(Name, "Ana")]),
        ("Raj, thanks", &[(Name, "Raj")]),
    ];
    let wrong: Vec<String> = asked_name
        .iter()
        .filter_map(|(text, expected)| {
            let got: Vec<_> = found(text, Some(Name))
                .into_iter()
                .filter(|(field, _)| matches!(field, Name | Company))
                .collect();
            (got != values(expected)).then(|| format!("{text:?}: got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    check(&[
        (
            "hey\nits Dan\nDan's Auto Repair\nwe got 6 bays",
            &[(Name, "Dan"), (Company, "Dan's Auto Repair")],
        ),
        ("I'm Ana\nMonday works", &[(Name, "Ana")]),
    ]);
    // After the kind of business and its place, set off by a comma or a dash.
    let company = |text: &str| {
        found(text, None)
            .into_iter()
            .find(|(field, _)| *field == Company)
            .map(|(_, company)| company)
    };
    for (text, expected) in [
        (
            "tengo un taller mecánico en Rosario, Taller Ferreyra",
            Some("Taller Ferreyra"),
        ),
        (
            "I run a phone repair shop in Leeds - FixIt Fast",
            Some("FixIt Fast"),
        ),
        ("I'm Lu, my salon is Nails by Lu", Some("Nails by Lu")),
        (
            "una guardería en Bilbao, Escuela Infantil Txiki",
            Some("Escuela Infantil Txiki"),
        ),
        ("my salon is great but slow on whatsapp", None),
    ] {
        assert_eq!(company(text).as_deref(), expected, "{text}");
    }
}

#[test]
fn a_company_where_a_role_is_held_or_after_an_article() {
    let company = |text: &str| {
        found(text, None)
            .into_iter()
            .find(|(field, _)| *field == Company)
            .map(|(_, value)| value)
    };
    let mut wrong = Vec::new();
    for (text, expected) in [
        (
            "Hello, I'm Eleanor, head of admissions at Oakfield Prep School. Parents message us",
            Some("Oakfield Prep School"),
        ),
        (
            "Hola! Soy Marga, de la Academia Nexo en Valencia",
            Some("Academia Nexo"),
        ),
        (
            "mick from Outback Adventure Tours, we run 4wd tours",
            Some("Outback Adventure Tours"),
        ),
        ("we run 4wd tours out of cairns", None),
        (
            "buenas tardes, les escribo de Grupo Tandil, soy Carolina Ferreyra de RRHH. estamos buscando capacitacion",
            Some("Grupo Tandil"),
        ),
        (
            "Hi, writing from Bluewave Travel about your bot",
            Some("Bluewave Travel"),
        ),
        ("I'm the office manager at a law firm", None),
        // The business described, then named.
        (
            "Hello, we have a dental clinic in Bangalore, Smile Square Dental. We want patients to book",
            Some("Smile Square Dental"),
        ),
        (
            "I am owner of a bicycle shop in Utrecht, Fietsen Bakker. We want that customers can ask",
            Some("Fietsen Bakker"),
        ),
        (
            "hello, I'm the office manager at a law firm, Hart & Cole Solicitors. we need the bot",
            Some("Hart & Cole Solicitors"),
        ),
        (
            "general manager of a boutique hotel in Edinburgh, The Heather Inn. Guests message at 2am",
            Some("The Heather Inn"),
        ),
        (
            "soy Rocío Quispe, tengo una agencia de viajes en Cusco, Andes Trip, y quiero que el bot cotice",
            Some("Andes Trip"),
        ),
        (
            "i have a small pharmacy in leeds Medway Pharmacy and people keep asking",
            Some("Medway Pharmacy"),
        ),
        ("we have a small shop in Leeds, nothing fancy", None),
        ("tenemos una clínica en Puebla, somos 4 dentistas", None),
        // Named by "called", whatever its first word.
        (
            "I run a yoga and pilates studio called Still Point. I need the bot",
            Some("Still Point"),
        ),
        (
            "I co-own a Mexican restaurant in San Diego called La Palapa. we want a bot",
            Some("La Palapa"),
        ),
        // Where a role is held, after an article, before a place.
        (
            "hey! this is Marcus, I'm the GM at IronHouse Gym in Austin",
            Some("IronHouse Gym"),
        ),
        (
            "Hola, soy Inés Medina, directora de la Autoescuela Ronda, en Málaga. Queremos",
            Some("Autoescuela Ronda"),
        ),
        (
            "soy Brenda, asistente de dirección en el Colegio Montessori Arboleda. Nos pidieron",
            Some("Colegio Montessori Arboleda"),
        ),
        (
            "Hi, I'm Dev, I'm a real estate agent with Human Touch Realty in Toronto.",
            Some("Human Touch Realty"),
        ),
        // After a kind of business or a branch.
        (
            "soy Jordi Puig, del despacho Puig & Serra Advocats, en Barcelona.",
            Some("Puig & Serra Advocats"),
        ),
        (
            "soy Gabriela Soto, tengo tres sucursales de Panadería La Espiga y quiero",
            Some("Panadería La Espiga"),
        ),
        (
            "Hola, qué más, soy Santiago Vélez de Café Alto Tostadores, vendemos café",
            Some("Café Alto Tostadores"),
        ),
    ] {
        if company(text).as_deref() != expected {
            wrong.push(format!(
                "{text:?}: got {:?}, expected {expected:?}",
                company(text)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn roles_and_decisions_in_the_shapes_customers_use() {
    use crate::lead::DecisionPower::{DecisionMaker, NeedsApproval, Unknown};
    let mut wrong = Vec::new();
    for (text, role, power) in [
        (
            "Morning, I'm Harriet, operations lead at Thornbury Veterinary Group. We've got 4 clinics",
            Some("operations lead"),
            Unknown,
        ),
        (
            "Hello, Tom Whitaker here, IT lead at St Aidan's College. We'd like a WhatsApp assistant",
            Some("IT lead"),
            Unknown,
        ),
        (
            "I'm head of ecommerce, I can sign off on this",
            Some("head of ecommerce"),
            DecisionMaker,
        ),
        (
            "soy la licenciada Mariana Téllez, directora de ventas en Inmobiliaria Cumbres del Valle.",
            Some("directora de ventas"),
            Unknown,
        ),
        (
            "le escribe Paola Cárdenas, coordinadora de mercadeo del Hotel Bahía Dorada en Cartagena.",
            Some("coordinadora de mercadeo"),
            Unknown,
        ),
        (
            "Buenas, soy asesor inmobiliario, mi oficina",
            Some("asesor inmobiliario"),
            Unknown,
        ),
        ("la dueña soy yo, decido yo", Some("dueña"), DecisionMaker),
        ("ya its my salon so me", None, DecisionMaker),
        (
            "the owners set the budget, I think around £500 a month",
            None,
            NeedsApproval,
        ),
        (
            "tenemos unos 900 dólares mensuales y lo tiene que aprobar mi jefe",
            None,
            NeedsApproval,
        ),
        ("la dueña es mi mamá, ella aprueba", None, NeedsApproval),
        ("my wife runs the numbers, she decides", None, NeedsApproval),
    ] {
        let got = found(text, None)
            .into_iter()
            .find(|(field, _)| *field == Authority)
            .and_then(|(_, value)| super::super::parse_authority(&value).ok())
            .map(|a| (a.role().map(str::to_owned), a.power()));
        let expected = Some((role.map(str::to_owned), power));
        if got != expected {
            wrong.push(format!("{text:?}: got {got:?}, expected {expected:?}"));
        }
    }
    // A role that only names where the customer works is no authority.
    for text in ["we are a sales team of five", "the team at Acme is great"] {
        if found(text, None)
            .iter()
            .any(|(field, _)| *field == Authority)
        {
            wrong.push(format!("{text:?}: an authority was found"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Introductions as customers sign them: a name then a role with no verb,
/// "this side", a title before a lowercase name, a sign-off at the end,
/// "X here, from Y", and companies after a count of shops, a description
/// or a kind word, with another person's role left out.
#[test]
fn introductions_signed_titled_and_set_off() {
    check(&[
        (
            "Hi there, Olivia Grant, co-founder of Nestwise Property Management in Denver",
            &[
                (Name, "Olivia Grant"),
                (Company, "Nestwise Property Management"),
                (Authority, "co-founder"),
            ],
        ),
        (
            "Hi! Rachel, marketing manager at Oakline Furniture in Nashville",
            &[
                (Name, "Rachel"),
                (Company, "Oakline Furniture"),
                (Authority, "marketing manager"),
            ],
        ),
        (
            "Good morning sir, Rajesh Kumar this side, I am IT manager in Shree Balaji Hospitals, Pune",
            &[
                (Name, "Rajesh Kumar"),
                (Company, "Shree Balaji Hospitals"),
                (Authority, "I am IT manager"),
            ],
        ),
        (
            "soy el lic. ramiro ochoa de grupo ochoa autopartes",
            &[(Name, "ramiro ochoa"), (Company, "grupo ochoa autopartes")],
        ),
        (
            "Hi, John here, from Thistle & Oak Interiors in Edinburgh",
            &[(Name, "John"), (Company, "Thistle & Oak Interiors")],
        ),
        (
            "my name is Chinedu Okafor and I work with Lagos Bites Kitchen",
            &[(Name, "Chinedu Okafor"), (Company, "Lagos Bites Kitchen")],
        ),
        (
            "tengo 4 heladerias en Cordoba, Heladeria Polo Sur",
            &[(Company, "Heladeria Polo Sur")],
        ),
        (
            "Soy Nerea, de Casa Rural El Roble, en Asturias",
            &[(Name, "Nerea"), (Company, "Casa Rural El Roble")],
        ),
        (
            "Hola, soy Pilar Navarro, secretaria del despacho Abogados Navarro y Asociados. El señor Navarro, el socio director, me pide que pregunte por el asistente de WhatsApp",
            &[
                (Name, "Pilar Navarro"),
                (Company, "Abogados Navarro y Asociados"),
                (Authority, "secretaria"),
            ],
        ),
        (
            "Buenos días, soy Elena Castro, responsable de atención al cliente en Seguros Mediterráneo",
            &[
                (Name, "Elena Castro"),
                (Company, "Seguros Mediterráneo"),
                (Authority, "responsable de atención al cliente"),
            ],
        ),
        (
            "Hola! ¿Esto se conecta con Shopify? Gracias! - Lucía",
            &[(Name, "Lucía")],
        ),
        ("Thanks, Great", &[]),
        ("the company is growing fast", &[]),
    ]);
}

/// Names with particles, "por aquí", a greeting and a full name, a
/// signature set apart by bars, and companies named the ways customers
/// name them: "somos", "represento a", "estoy con", "we're", "here at",
/// "enquiring for", "X is my company", "the shop is", typed in lowercase.
#[test]
fn particles_signatures_and_companies_named_as_their_own() {
    check(&[
        (
            "Mi nombre es Juan de Dios Quintero, soy el dueño del Hotel Casa Colonial",
            &[
                (Name, "Juan de Dios Quintero"),
                (Company, "Hotel Casa Colonial"),
                (Authority, "soy el dueño"),
            ],
        ),
        (
            "Hello, Tomás van der Berg from Nordhaven Logistics B.V. in Rotterdam",
            &[
                (Name, "Tomás van der Berg"),
                (Company, "Nordhaven Logistics B.V."),
            ],
        ),
        (
            "soy Marta de Muebles Sol",
            &[(Name, "Marta"), (Company, "Muebles Sol")],
        ),
        (
            "Pepe por aquí, del Taller Mecánico 2000",
            &[(Name, "Pepe"), (Company, "Taller Mecánico 2000")],
        ),
        (
            "Hi, Greg Ng. Ng Family Bakery is my company",
            &[(Name, "Greg Ng"), (Company, "Ng Family Bakery")],
        ),
        (
            "hiii its jess from Sweet Crumbs Bakery",
            &[(Name, "jess"), (Company, "Sweet Crumbs Bakery")],
        ),
        (
            "Anthony Russo | Sales Manager | RUSSO MOTORS GROUP",
            &[
                (Name, "Anthony Russo"),
                (Company, "RUSSO MOTORS GROUP"),
                (Authority, "Sales Manager"),
            ],
        ),
        (
            "somos Distribuciones Caribe SAS, de Cartagena",
            &[(Company, "Distribuciones Caribe SAS")],
        ),
        (
            "Represento a GRUPO ALFA INMOBILIARIO",
            &[(Company, "GRUPO ALFA INMOBILIARIO")],
        ),
        (
            "estoy con Cervecería Volcán",
            &[(Company, "Cervecería Volcán")],
        ),
        ("we're Loopify, a SaaS for gyms", &[(Company, "Loopify")]),
        (
            "enquiring for Thompson Dental Care",
            &[(Company, "Thompson Dental Care")],
        ),
        (
            "socio de la emprsa Café y Arepas La 70",
            &[(Company, "Café y Arepas La 70"), (Authority, "socio")],
        ),
        (
            "tengo la floristeria las camelias",
            &[(Company, "floristeria las camelias")],
        ),
        (
            "the shop is nkechi's closet",
            &[(Company, "nkechi's closet")],
        ),
        (
            "Buen día. Represento a GRUPO ALFA INMOBILIARIO, mi nombre es Ernesto Villanueva, director general",
            &[
                (Name, "Ernesto Villanueva"),
                (Company, "GRUPO ALFA INMOBILIARIO"),
                (Authority, "director general"),
            ],
        ),
        (
            "Desde Óptica Luz, les saluda Marta Giménez. Tenemos dos locales",
            &[(Name, "Marta Giménez"), (Company, "Óptica Luz")],
        ),
        (
            "this is Mike's phone. I'm his practice manager, Jenna Clarke",
            &[
                (Name, "Jenna Clarke"),
                (Authority, "I'm his practice manager"),
            ],
        ),
        (
            "yo\nsam okafor here\nwe're kicks & co, sneaker resale in atlanta",
            &[(Name, "sam okafor"), (Company, "kicks & co")],
        ),
        (
            "hola soy Ricardo de Autos Premier, somos agencia de seminuevos en Monterrey",
            &[(Name, "Ricardo"), (Company, "Autos Premier")],
        ),
        (
            "I'm the office manager at a law firm, Hart & Cole Solicitors.",
            &[
                (Company, "Hart & Cole Solicitors"),
                (Authority, "I'm the office manager"),
            ],
        ),
        (
            "hola, soy Vale de Mate & Co, vendemos mates online",
            &[(Name, "Vale"), (Company, "Mate & Co")],
        ),
        ("vale, gracias", &[]),
        (
            "Hola, soy Irene, llevo el Gimnasio Fuerza Vallekas en Madrid",
            &[(Name, "Irene"), (Company, "Gimnasio Fuerza Vallekas")],
        ),
        (
            "soy la Dra. Mariana Treviño, tengo el consultorio Sonrisa Perfecta en Guadalajara",
            &[(Name, "Mariana Treviño"), (Company, "Sonrisa Perfecta")],
        ),
        (
            "hey Sipho here\nSipho's Driving Academy, durban",
            &[(Name, "Sipho"), (Company, "Sipho's Driving Academy")],
        ),
        ("tengo la tienda cerrada", &[]),
        ("We are very busy", &[]),
        ("Hola, Sofía", &[]),
    ]);
}

/// Voice-to-text run-ons: every value in one unpunctuated message, the
/// need ending where another value starts.
#[test]
fn run_ons_give_every_value() {
    check(&[
        (
            "hola buenas tardes mire le hablo de parte de la Constructora Herrera mi nombre es Arturo Herrera soy el director y pues lo que queremos es que cuando la gente pregunte por los departamentos en whatsapp alguien les conteste luego luego y les mande los precios y pues tenemos como unos dos mil dólares al mes para eso y yo soy el que decide y lo ocupamos para el mes que entra",
            &[
                (Name, "Arturo Herrera"),
                (Company, "Constructora Herrera"),
                (Budget, "como unos dos mil dólares al mes"),
                (Authority, "soy el director, soy el que decide"),
                (
                    Need,
                    "que cuando la gente pregunte por los departamentos en whatsapp alguien les conteste luego luego y les mande los precios",
                ),
                (Timeline, "el mes que entra"),
            ],
        ),
        (
            "hello i am calling from Shree Ganesh Sweets my name is Vikram Patel we are needing whatsapp bot for sweet box orders budget is around 2 lakh rupees per year",
            &[
                (Name, "Vikram Patel"),
                (Company, "Shree Ganesh Sweets"),
                (Budget, "around 2 lakh rupees per year"),
                (Need, "whatsapp bot for sweet box orders"),
            ],
        ),
    ]);
}
