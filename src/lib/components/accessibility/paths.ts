/** The accessibility statement's address in each language (every page's footer links to the one in its language). */
export const statementPaths = { fi: '/saavutettavuus', sv: '/tillganglighet', en: '/accessibility' } as const;
