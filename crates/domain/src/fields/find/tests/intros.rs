//! Who the customer is, in the shapes fresh customers wrote it: company
//! forms wherever they stand, signatures of several lines, whoever
//! referred the customer, names with particles and names typed in
//! lowercase. Apart from `who` so that each test file stays short.

use super::*;

#[test]
fn introductions_as_fresh_customers_wrote_them() {
    check(&[
        // A company form makes a name a business wherever it stands.
        (
            "hola buenas, soy Lucia y llevo la oficina en Reformas Hermanos Ruiz S.L., en Valencia",
            &[(Name, "Lucia"), (Company, "Reformas Hermanos Ruiz S.L.")],
        ),
        (
            "Good afternoon sir, I am Chinedu Okafor, CEO of Okafor Foods & Spices Ltd, Lagos",
            &[
                (Name, "Chinedu Okafor"),
                (Company, "Okafor Foods & Spices Ltd"),
                (Authority, "CEO"),
            ],
        ),
        // Whoever sent the customer is not the customer.
        (
            "Hi, Sarah from Bright Smiles Dental gave me your number",
            &[],
        ),
        (
            "Hola, me recomendo con ustedes Laura Méndez de Inmobiliaria Altavista, dice que el bot les funciono muy bien",
            &[],
        ),
        (
            "Sarah from Bright Smiles gave me your number. I'm Tom, I run Oak Barbers",
            &[(Name, "Tom"), (Company, "Oak Barbers")],
        ),
        // Lowercase, a name before the business the next clause names.
        (
            "hey its jake, we run Blue Door Coffee",
            &[(Name, "jake"), (Company, "Blue Door Coffee")],
        ),
        (
            "its called the green spoon",
            &[(Company, "the green spoon")],
        ),
        (
            "hi its aoife from the daily grind, we're a coffee shop in galway",
            &[(Name, "aoife"), (Company, "the daily grind")],
        ),
        (
            "alright mate, Steve here, Steve's Motors in Dudley",
            &[(Name, "Steve"), (Company, "Steve's Motors")],
        ),
        (
            "Good evening. Fatima Al Mansoori, Sales Director, Palm Vista Properties LLC, Dubai.",
            &[
                (Name, "Fatima Al Mansoori"),
                (Company, "Palm Vista Properties LLC"),
                (Authority, "Sales Director"),
            ],
        ),
        (
            "buenas! soy la contadora Paula Gómez, de Estudio Contable Gómez & Gómez, en Rosario",
            &[
                (Name, "Paula Gómez"),
                (Company, "Estudio Contable Gómez & Gómez"),
                (Authority, "soy la contadora"),
            ],
        ),
        (
            "Buenas tardes. Ing. Raúl Ibarra, trabajo para Grupo Salud Total S.A. de C.V.",
            &[
                (Name, "Raúl Ibarra"),
                (Company, "Grupo Salud Total S.A. de C.V."),
            ],
        ),
        (
            "Hi, Marcus Tan here. I'm head of sales at Lion City Aircon Pte Ltd",
            &[
                (Name, "Marcus Tan"),
                (Company, "Lion City Aircon Pte Ltd"),
                (Authority, "I'm head of sales"),
            ],
        ),
        (
            "Hi team, Liam O'Connor, co-founder of Outback Outfitters Pty Ltd. We sell gear",
            &[
                (Name, "Liam O'Connor"),
                (Company, "Outback Outfitters Pty Ltd"),
                (Authority, "co-founder of Outback Outfitters Pty Ltd"),
            ],
        ),
        (
            "Hi, Ahmed Khan here from Al Noor Auto Spare Parts Trading LLC, Deira",
            &[
                (Name, "Ahmed Khan"),
                (Company, "Al Noor Auto Spare Parts Trading LLC"),
            ],
        ),
        (
            "Morning! Thabo Nkosi, I head up sales at SureCover Insurance Brokers in Joburg",
            &[
                (Name, "Thabo Nkosi"),
                (Company, "SureCover Insurance Brokers"),
            ],
        ),
        (
            "Glow Lab, a beauty salon in Leeds",
            &[(Company, "Glow Lab")],
        ),
        ("Hola, Ana, una pregunta", &[]),
        (
            "Jason Park | VP Sales | Apex Solar | San Diego",
            &[
                (Name, "Jason Park"),
                (Company, "Apex Solar"),
                (Authority, "VP Sales"),
            ],
        ),
        (
            "Buenas tardes, soy Rosa Elena Campos, de Pastelería 5 de Mayo, en Puebla",
            &[
                (Name, "Rosa Elena Campos"),
                (Company, "Pastelería 5 de Mayo"),
            ],
        ),
        (
            "ah perdón, no le dije mi nombre: Ramiro Díaz",
            &[(Name, "Ramiro Díaz")],
        ),
        (
            "Hola, hablas con Marcela Ortiz, administradora del Hotel Boutique Casa Aurora en Cartagena",
            &[
                (Name, "Marcela Ortiz"),
                (Company, "Hotel Boutique Casa Aurora"),
                (Authority, "administradora"),
            ],
        ),
        // A verb is no name, however the customer types.
        ("arrancamos despues del puente festivo", &[]),
        (
            "soy fernando de la ferreteria lopez",
            &[(Name, "fernando"), (Company, "ferreteria lopez")],
        ),
        (
            "la tienda es mia asi que decido yo",
            &[(Authority, "decido yo")],
        ),
        // A signature with the role and the company under the name.
        (
            "We want to start next month.\nRegards,\nRaj Malhotra\nDirector, Malhotra Textiles Pvt Ltd",
            &[
                (Name, "Raj Malhotra"),
                (Company, "Malhotra Textiles Pvt Ltd"),
                (Authority, "Director"),
                (Timeline, "next month"),
            ],
        ),
        (
            "Vendemos cosmetica natural online.\nSaludos,\nJaviera Muñoz\nFundadora\nSemilla Cosmética Natural",
            &[
                (Name, "Javiera Muñoz"),
                (Company, "Semilla Cosmética Natural"),
                (Authority, "Fundadora"),
            ],
        ),
    ]);
}
