"""Name pools for synthetic children, by background.

Each background carries a plausible ONS ethnicity category and the languages a child from it
might prefer, so names, sex, ethnicity and language stay consistent with each other. The weights
roughly follow a diverse outer-London borough; they are demo data, not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE_BRITISH = "White: English, Welsh, Scottish, Northern Irish or British"
WHITE_IRISH = "White: Irish"
WHITE_OTHER = "White: Any other White background"
WHITE_ROMA = "White: Roma"
MIXED_WBC = "Mixed or Multiple: White and Black Caribbean"
MIXED_WBA = "Mixed or Multiple: White and Black African"
MIXED_OTHER = "Mixed or Multiple: Any other Mixed or Multiple background"
BLACK_CARIBBEAN = "Black, Black British, Caribbean or African: Caribbean"
BLACK_AFRICAN = "Black, Black British, Caribbean or African: African"
ASIAN_INDIAN = "Asian or Asian British: Indian"
ASIAN_PAKISTANI = "Asian or Asian British: Pakistani"
ASIAN_BANGLADESHI = "Asian or Asian British: Bangladeshi"
ASIAN_CHINESE = "Asian or Asian British: Chinese"
ASIAN_OTHER = "Asian or Asian British: Any other Asian background"
OTHER_ARAB = "Other ethnic group: Arab"
OTHER_ANY = "Other ethnic group: Any other ethnic group"


@dataclass(frozen=True, slots=True)
class Background:
    key: str
    ethnicity: str
    languages: tuple[str, ...]  # BCP-47, most likely first
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    weight: float  # share among local (non-UASC) children
    uasc_weight: float = 0.0  # share among unaccompanied asylum-seeking children


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BACKGROUNDS: tuple[Background, ...] = (
    Background(
        "british",
        WHITE_BRITISH,
        ("en",),
        _t(
            "Oliver Harry Jack George Charlie Jacob Thomas Alfie Riley Joshua William James Leo "
            "Kian Tyler Mason Callum Connor Lewis Jayden Ethan Reece Kyle Bradley Liam Ryan Dylan"
        ),
        _t(
            "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Ella Mia Ruby Evie Holly Jessica "
            "Megan Lauren Paige Courtney Shannon Leah Millie Poppy Freya Lacey Kayleigh Demi"
        ),
        _t(
            "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
            "Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Cooper King Baker "
            "Turner Hill Ward Morris Moore Parker Bennett Cook Price Bell Hughes Marshall Fletcher"
        ),
        0.34,
    ),
    Background(
        "irish",
        WHITE_IRISH,
        ("en",),
        _t("Cian Oisin Darragh Sean Conor Eoin Patrick Ciaran Niall Padraig Tadhg"),
        _t("Aoife Siobhan Niamh Ciara Roisin Saoirse Caoimhe Orla Sinead Aisling"),
        _t(
            "Murphy Kelly Byrne Ryan O'Brien Walsh O'Sullivan Doyle McCarthy Gallagher Quinn Brennan"
        ),
        0.03,
    ),
    Background(
        "caribbean",
        BLACK_CARIBBEAN,
        ("en",),
        _t("Jermaine Tyrone Marcus Andre Devon Jaden Kyrie Dwayne Rhys Tre Isaiah Malachi Jamal"),
        _t("Aaliyah Shanice Tiana Jada Kiara Chantelle Imani Nia Jasmine Keisha Destiny Shantel"),
        _t("Campbell Brown Francis Grant Henry Lewis Morgan Richards Bailey Clarke Reid Thomas"),
        0.12,
    ),
    Background(
        "mixed_caribbean",
        MIXED_WBC,
        ("en",),
        _t("Kai Reuben Elijah Jayden Tyler Mason Jacob Zion Kaden Rico Leon Nathaniel"),
        _t("Maya Skye Aaliyah Layla Amber Jade Sienna Tia Kayla Bella Nevaeh Ruby"),
        _t("Campbell Walker Simpson Thompson Edwards Gordon Francis Williams Hall Allen"),
        0.08,
    ),
    Background(
        "west_african",
        BLACK_AFRICAN,
        ("en", "yo", "tw"),
        _t(
            "Oluwaseun Tobi Femi Kwame Kofi Chinedu Emeka Tunde Ayo Daniel Samuel David Joshua "
            "Ifeanyi Kayode Dami Nana Kelechi"
        ),
        _t(
            "Adaeze Chiamaka Folake Ama Abena Temitope Ngozi Funmi Blessing Precious Favour "
            "Esther Grace Ifeoma Simi Yetunde Akosua"
        ),
        _t(
            "Adeyemi Okafor Mensah Boateng Okonkwo Adebayo Owusu Oyelaran Afolabi Asante Nwosu "
            "Eze Ogunleye Appiah Bello Danso Olawale"
        ),
        0.1,
    ),
    Background(
        "somali",
        BLACK_AFRICAN,
        ("en", "so"),
        _t("Abdirahman Mohamed Abdullahi Hassan Yusuf Abdi Ahmed Omar Liban Mahad Farhan Bilal"),
        _t("Hodan Ayaan Fadumo Hibo Sagal Amina Nimo Hamdi Ifrah Khadra Sahra Ubah Idil"),
        _t("Abdi Mohamed Hassan Ali Farah Warsame Ahmed Jama Osman Aden Nur Ibrahim Elmi"),
        0.04,
    ),
    Background(
        "polish",
        WHITE_OTHER,
        ("en", "pl"),
        _t("Jakub Kacper Szymon Filip Mateusz Bartosz Piotr Kamil Dawid Oskar Wiktor"),
        _t("Zuzanna Julia Maja Zofia Natalia Wiktoria Aleksandra Oliwia Amelia Kinga"),
        _t(
            "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski "
            "Szymanski Wozniak Dabrowski Mazur"
        ),
        0.04,
    ),
    Background(
        "romanian",
        WHITE_OTHER,
        ("ro", "en"),
        _t("Andrei Alexandru Ionut Stefan Mihai Gabriel Razvan Florin Darius Vlad Cristian"),
        _t("Andreea Ioana Elena Bianca Alexandra Denisa Larisa Roxana Alina Daria Teodora"),
        _t("Popescu Ionescu Popa Dumitru Stan Stoica Gheorghe Rusu Munteanu Matei Constantin"),
        0.03,
    ),
    Background(
        "roma",
        WHITE_ROMA,
        ("ro", "en"),
        _t("Marian Costel Florin Nicu Ionel Sorin Adrian Dorin"),
        _t("Florentina Mirela Lavinia Nicoleta Violeta Ramona Denisa"),
        _t("Lakatos Balogh Caldaras Stanescu Radu Lingurar Varga"),
        0.01,
    ),
    Background(
        "indian",
        ASIAN_INDIAN,
        ("en", "pa", "gu"),
        _t("Arjun Rohan Aarav Dev Karan Rahul Vikram Jasdeep Harpreet Sanjay Nikhil Kabir"),
        _t("Priya Ananya Simran Kiran Anjali Riya Jaspreet Meera Divya Neha Isha Pooja"),
        _t("Patel Sharma Singh Kaur Gill Sandhu Shah Mehta Joshi Kumar Dhillon Chauhan"),
        0.04,
    ),
    Background(
        "pakistani",
        ASIAN_PAKISTANI,
        ("en", "ur"),
        _t("Ayaan Zain Hamza Bilal Usman Imran Faisal Saad Hassan Ali Danyal Rehan"),
        _t("Aisha Maryam Zara Hira Sana Iqra Noor Amna Alina Hafsa Mahnoor Khadija"),
        _t("Khan Hussain Akhtar Ahmed Iqbal Malik Butt Rashid Chaudhry Qureshi Mirza"),
        0.04,
    ),
    Background(
        "bangladeshi",
        ASIAN_BANGLADESHI,
        ("en", "bn"),
        _t("Rahim Sabbir Tanvir Arif Shahid Nayeem Rafi Sami Jamal Rayhan"),
        _t("Fatema Nusrat Tahmina Sumaiya Jannat Farzana Shirin Tasnim Rumana"),
        _t("Rahman Islam Miah Begum Uddin Chowdhury Hoque Ali Sarkar Hossain"),
        0.03,
    ),
    Background(
        "chinese",
        ASIAN_CHINESE,
        ("en", "zh"),
        _t("Wei Jun Hao Ming Jason Kevin Tony Leo Chen Yi"),
        _t("Mei Xin Yan Lily Jing Hui Amy Li Na Grace"),
        _t("Chen Wang Li Zhang Liu Wong Lam Cheung Ng Ho"),
        0.02,
    ),
    Background(
        "other_mixed",
        MIXED_OTHER,
        ("en",),
        _t("Noah Luca Zac Rio Ezra Ashton Jude Kayden Roman"),
        _t("Layla Ariana Zoe Mila Sofia Esme Ivy Nadia Leila"),
        _t("Silva Santos Costa Martins Fernandes Oliveira Ferreira Hamid Marin"),
        0.03,
    ),
    Background(
        "mixed_african",
        MIXED_WBA,
        ("en",),
        _t("Caleb Joel Isaac Ezekiel Micah Tobias Levi"),
        _t("Naomi Zuri Abigail Hannah Kemi Adjoa Tia"),
        _t("Mensah Osei Phillips Cole Harrison Taylor Okoro"),
        0.02,
    ),
    Background(
        "eritrean",
        BLACK_AFRICAN,
        ("ti", "en"),
        _t("Dawit Yonas Filmon Merhawi Samuel Biniam Robel Henok Yohannes Semere Kibrom Natnael"),
        _t("Helen Selam Winta Saba Luwam Hiwet Senait Rahel Feven"),
        _t(
            "Tesfay Haile Ghebremariam Tekle Berhane Kidane Woldu Mehari Gebremedhin Asmerom "
            "Habte Tsegay"
        ),
        0.0,
        0.26,
    ),
    Background(
        "afghan",
        OTHER_ANY,
        ("ps", "fa", "en"),
        _t(
            "Ahmad Mohammad Abdul Rahmatullah Naveed Farid Mustafa Sami Hamid Wahid Bashir Zabih "
            "Shafiq Jawad"
        ),
        _t("Mariam Zahra Fatima Nazanin Parwana Shabnam"),
        _t(
            "Ahmadzai Rahimi Hakimi Noori Karimi Popal Sultani Safi Stanikzai Amiri Wardak "
            "Hotak Mohammadi"
        ),
        0.0,
        0.24,
    ),
    Background(
        "sudanese",
        OTHER_ARAB,
        ("ar", "en"),
        _t("Mohamed Ahmed Osman Abdelrahman Ibrahim Mustafa Adam Hamza Khalid Musab"),
        _t("Fatima Amna Hawa Salma Safaa"),
        _t("Osman Abdalla Adam Ibrahim Elhassan Mohamed Hamid Suleiman Yagoub"),
        0.0,
        0.14,
    ),
    Background(
        "syrian",
        OTHER_ARAB,
        ("ar", "en"),
        _t("Omar Khaled Yousef Hussein Rami Tariq Ammar Karim Majd Bashar Anas"),
        _t("Lina Rama Hala Yasmin Nour Dana Layal Rasha Reem"),
        _t("Al-Hassan Haddad Khalil Darwish Mansour Nasser Saleh Hamdan Al-Ali Qassem"),
        0.01,
        0.06,
    ),
    Background(
        "kurdish",
        OTHER_ANY,
        ("ku", "ar", "fa"),
        _t("Aram Karwan Rebin Dilan Hemin Shvan Soran Zana Bryar Rawand"),
        _t("Rozhin Avin Shilan Berivan Dilnaz Nasrin"),
        _t("Karimi Ahmadi Rasul Hamad Aziz Mahmoud Qadir Salih Mustafa"),
        0.0,
        0.12,
    ),
    Background(
        "vietnamese",
        ASIAN_OTHER,
        ("vi", "en"),
        _t("Minh Tuan Duc Hung Nam Quang Long Khanh Thanh Huy"),
        _t("Linh Lan Mai Huong Thao Ngoc Trang"),
        _t("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do"),
        0.01,
        0.1,
    ),
    Background(
        "albanian",
        WHITE_OTHER,
        ("sq", "en"),
        _t("Ardit Klajdi Erion Endrit Besnik Dritan Arben Kristi Mario Gentian Flori"),
        _t("Ardita Elira Klea Era Jonida Besa"),
        _t("Hoxha Krasniqi Berisha Shehu Gashi Kola Dervishi Leka Mema Cela"),
        0.01,
        0.08,
    ),
)

# Social workers and independent adolescent (RHI) workers: fictional names.
SOCIAL_WORKERS: tuple[str, ...] = (
    "Joanne Pearce",
    "Kwabena Asante",
    "Rachel Okoye",
    "Daniel Whitfield",
    "Fatima Rahman",
    "Siobhan Kavanagh",
    "Marcus Ellington",
    "Priya Venkatesh",
    "Helen Marsh",
    "Tomasz Lewicki",
    "Grace Adeyemi",
    "Stephen Cho",
)

WORKER_NAMES: tuple[str, ...] = (
    "Amara Okafor",
    "Ben Castellano",
    "Chloe Haddad",
    "Dev Sharma",
    "Ellie Morgan",
    "Femi Adebayo",
)
