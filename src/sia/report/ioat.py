"""Names of the 105 industries of the ONS input-output analytical tables (IOAT 2019, industry by industry).

The audit's ``supply`` table names industries by their IOAT codes (``G46``, ``H493T495``); the report shows
names. ``FULL`` is the row label of the ONS table (``ons_ioat_2019_industry_by_industry_domestic_use_long.csv``
in the shared data, Open Government Licence v3.0), in sentence case; ``SHORT`` is a shorter name written for
charts and tables. Carried here so that the report needs no data file.
"""

from __future__ import annotations

SHORT: dict[str, str] = {
    'A01': 'Agriculture',
    'A02': 'Forestry',
    'A03': 'Fishing and aquaculture',
    'B05': 'Coal mining',
    'B06 & B07': 'Oil, gas and metal ores',
    'B08': 'Other mining and quarrying',
    'B09': 'Mining support services',
    'C101': 'Meat processing',
    'C102_3': 'Fish, fruit and vegetable processing',
    'C104': 'Vegetable and animal oils',
    'C105': 'Dairy products',
    'C106': 'Grain mill products',
    'C107': 'Bakery and pasta',
    'C108': 'Other food products',
    'C109': 'Animal feeds',
    'C1101T1106 & C12': 'Alcoholic drinks and tobacco',
    'C1107': 'Soft drinks and bottled water',
    'C13': 'Textiles',
    'C14': 'Clothing',
    'C15': 'Leather products',
    'C16': 'Wood products',
    'C17': 'Paper products',
    'C18': 'Printing',
    'C19': 'Coke and refined petroleum',
    'C203': 'Paints, varnishes and inks',
    'C204': 'Soaps, detergents and toiletries',
    'C205': 'Other chemical products',
    'C20A': 'Industrial gases and fertilisers',
    'C20B': 'Petrochemicals',
    'C20C': 'Dyestuffs and agro-chemicals',
    'C21': 'Pharmaceuticals',
    'C22': 'Rubber and plastic products',
    'C235_6': 'Cement, lime and concrete',
    'C23OTHER': 'Glass, ceramics and stone products',
    'C241T243': 'Basic iron and steel',
    'C244_5': 'Other basic metals and casting',
    'C254': 'Weapons and ammunition',
    'C25OTHER': 'Fabricated metal products',
    'C26': 'Computer, electronic and optical products',
    'C27': 'Electrical equipment',
    'C28': 'Machinery and equipment',
    'C29': 'Motor vehicles',
    'C301': 'Ships and boats',
    'C303': 'Aircraft and spacecraft',
    'C30OTHER': 'Other transport equipment',
    'C31': 'Furniture',
    'C32': 'Other manufacturing',
    'C3315': 'Ship repair',
    'C3316': 'Aircraft repair and maintenance',
    'C33OTHER': 'Other repair and installation',
    'D351': 'Electricity',
    'D352_3': 'Gas, steam and air conditioning',
    'E36': 'Water supply',
    'E37': 'Sewerage',
    'E38': 'Waste collection and recycling',
    'E39': 'Remediation and waste management',
    'F41, F42  & F43': 'Construction',
    'G45': 'Motor trade',
    'G46': 'Wholesale trade',
    'G47': 'Retail trade',
    'H491_2': 'Rail transport',
    'H493T495': 'Road transport and pipelines',
    'H50': 'Water transport',
    'H51': 'Air transport',
    'H52': 'Warehousing and transport support',
    'H53': 'Postal and courier',
    'I55': 'Accommodation',
    'I56': 'Food and drink services',
    'J58': 'Publishing',
    'J59 & J60': 'Film, TV, music and broadcasting',
    'J61': 'Telecommunications',
    'J62': 'Computer programming and consultancy',
    'J63': 'Information services',
    'K64': 'Financial services',
    'K65.1-2 & K65.3': 'Insurance and pensions',
    'K66': 'Auxiliary financial services',
    'L683': 'Real estate agency',
    'L68A': "Owner-occupiers' housing",
    'L68BXL683': 'Real estate (excluding imputed rent)',
    'M691': 'Legal services',
    'M692': 'Accounting and tax',
    'M70': 'Head offices and management consultancy',
    'M71': 'Architecture, engineering and testing',
    'M72': 'Scientific research and development',
    'M73': 'Advertising and market research',
    'M74': 'Other professional and technical services',
    'M75': 'Veterinary services',
    'N77': 'Rental and leasing',
    'N78': 'Employment services',
    'N79': 'Travel agencies and tour operators',
    'N80': 'Security and investigation',
    'N81': 'Building services and landscaping',
    'N82': 'Office and business support',
    'O84': 'Public administration and defence',
    'P85': 'Education',
    'Q86': 'Health',
    'Q87 & Q88': 'Residential care and social work',
    'R90': 'Creative arts and entertainment',
    'R91': 'Libraries, museums and culture',
    'R92': 'Gambling and betting',
    'R93': 'Sports and recreation',
    'S94': 'Membership organisations',
    'S95': 'Repair of computers and household goods',
    'S96': 'Other personal services',
    'T97': 'Households as employers',
}
"""IOAT code -> short industry name."""

FULL: dict[str, str] = {
    'A01':
        'Crop and animal production, hunting and related service activities',
    'A02':
        'Forestry and logging',
    'A03':
        'Fishing and aquaculture',
    'B05':
        'Mining of coal and lignite',
    'B06 & B07':
        'Extraction of crude petroleum and natural gas & mining of metal ores',
    'B08':
        'Other mining and quarrying',
    'B09':
        'Mining support service activities',
    'C101':
        'Processing and preserving of meat and production of meat products',
    'C102_3':
        'Processing and preserving of fish, crustaceans, molluscs, fruit and vegetables',
    'C104':
        'Manufacture of vegetable and animal oils and fats',
    'C105':
        'Manufacture of dairy products',
    'C106':
        'Manufacture of grain mill products, starches and starch products',
    'C107':
        'Manufacture of bakery and farinaceous products',
    'C108':
        'Manufacture of other food products',
    'C109':
        'Manufacture of prepared animal feeds',
    'C1101T1106 & C12':
        'Manufacture of alcoholic beverages & tobacco products',
    'C1107':
        'Manufacture of soft drinks; production of mineral waters and other bottled waters',
    'C13':
        'Manufacture of textiles',
    'C14':
        'Manufacture of wearing apparel',
    'C15':
        'Manufacture of leather and related products',
    'C16':
        'Manufacture of wood & products of wood & cork, except furniture; manuf. of articles of straw',
    'C17':
        'Manufacture of paper and paper products',
    'C18':
        'Printing and reproduction of recorded media',
    'C19':
        'Manufacture of coke and refined petroleum products',
    'C203':
        'Manufacture of paints, varnishes and similar coatings, printing ink and mastics',
    'C204':
        'Manufacture of soap & detergents, cleaning & polishing, perfumes & toilet preparations',
    'C205':
        'Manufacture of other chemical products',
    'C20A':
        'Manufacture of industrial gases, inorganics and fertilisers (inorganic chemicals) - 20.11/13/15',
    'C20B':
        'Manufacture of petrochemicals - 20.14/16/17/60',
    'C20C':
        'Manufacture of dyestuffs, agro-chemicals - 20.12/20',
    'C21':
        'Manufacture of basic pharmaceutical products and pharmaceutical preparations',
    'C22':
        'Manufacture of rubber and plastic products',
    'C235_6':
        'Manufacture of cement, lime, plaster and articles of concrete, cement and plaster',
    'C23OTHER':
        'Manufacture of glass, refractory, clay, porcelain, ceramic, stone products - 23.1-4/7-9',
    'C241T243':
        'Manufacture of basic iron and steel',
    'C244_5':
        'Manufacture of other basic metals and casting',
    'C254':
        'Manufacture of weapons and ammunition',
    'C25OTHER':
        'Manufacture of fabricated metal products, excluding weapons & ammunition - 25.1-3/5-9',
    'C26':
        'Manufacture of computer, electronic and optical products',
    'C27':
        'Manufacture of electrical equipment',
    'C28':
        'Manufacture of machinery and equipment n.e.c.',
    'C29':
        'Manufacture of motor vehicles, trailers and semi-trailers',
    'C301':
        'Building of ships and boats',
    'C303':
        'Manufacture of air and spacecraft and related machinery',
    'C30OTHER':
        'Manufacture of other transport equipment - 30.2/4/9',
    'C31':
        'Manufacture of furniture',
    'C32':
        'Other manufacturing',
    'C3315':
        'Repair and maintenance of ships and boats',
    'C3316':
        'Repair and maintenance of aircraft and spacecraft',
    'C33OTHER':
        'Rest of repair; installation - 33.11-14/17/19/20',
    'D351':
        'Electric power generation, transmission and distribution',
    'D352_3':
        'Manufacture of gas; distribution of gaseous fuels through mains; steam and aircon supply',
    'E36':
        'Water collection, treatment and supply',
    'E37':
        'Sewerage',
    'E38':
        'Waste collection, treatment and disposal activities; materials recovery',
    'E39':
        'Remediation activities and other waste management services',
    'F41, F42  & F43':
        'Construction',
    'G45':
        'Wholesale and retail trade and repair of motor vehicles and motorcycles',
    'G46':
        'Wholesale trade, except of motor vehicles and motorcycles',
    'G47':
        'Retail trade, except of motor vehicles and motorcycles',
    'H491_2':
        'Rail transport',
    'H493T495':
        'Land transport services and transport services via pipelines, excluding rail transport',
    'H50':
        'Water transport',
    'H51':
        'Air transport',
    'H52':
        'Warehousing and support activities for transportation',
    'H53':
        'Postal and courier activities',
    'I55':
        'Accommodation',
    'I56':
        'Food and beverage service activities',
    'J58':
        'Publishing activities',
    'J59 & J60':
        ('Motion picture, video & TV programme production, sound recording & music publishing activities & '
         'programming and broadcasting activities'),
    'J61':
        'Telecommunications',
    'J62':
        'Computer programming, consultancy and related activities',
    'J63':
        'Information service activities',
    'K64':
        'Financial service activities, except insurance and pension funding',
    'K65.1-2 & K65.3':
        'Insurance, reinsurance and pension funding services, except compulsory social security',
    'K66':
        'Activities auxiliary to financial services and insurance activities',
    'L683':
        'Real estate services on a fee or contract basis',
    'L68A':
        "Owner-occupiers' housing",
    'L68BXL683':
        'Buying and selling, renting and operating of own or leased real estate, excluding imputed rent',
    'M691':
        'Legal activities',
    'M692':
        'Accounting, bookkeeping and auditing activities; tax consultancy',
    'M70':
        'Activities of head offices; management consultancy activities',
    'M71':
        'Architectural and engineering activities; technical testing and analysis',
    'M72':
        'Scientific research and development',
    'M73':
        'Advertising and market research',
    'M74':
        'Other professional, scientific and technical activities',
    'M75':
        'Veterinary activities',
    'N77':
        'Rental and leasing activities',
    'N78':
        'Employment activities',
    'N79':
        'Travel agency, tour operator and other reservation service and related activities',
    'N80':
        'Security and investigation activities',
    'N81':
        'Services to buildings and landscape activities',
    'N82':
        'Office administrative, office support and other business support activities',
    'O84':
        'Public administration and defence; compulsory social security',
    'P85':
        'Education',
    'Q86':
        'Human health activities',
    'Q87 & Q88':
        'Residential care & social work activities',
    'R90':
        'Creative, arts and entertainment activities',
    'R91':
        'Libraries, archives, museums and other cultural activities',
    'R92':
        'Gambling and betting activities',
    'R93':
        'Sports activities and amusement and recreation activities',
    'S94':
        'Activities of membership organisations',
    'S95':
        'Repair of computers and personal and household goods',
    'S96':
        'Other personal service activities',
    'T97':
        'Activities of households as employers of domestic personnel',
}
"""IOAT code -> the ONS row label (sentence case)."""


def industry_name(code: str, *, full: bool = False) -> str:
    """The name of an IOAT industry code; an unknown code comes back unchanged."""
    code = code.strip()
    return (FULL if full else SHORT).get(code, code)
