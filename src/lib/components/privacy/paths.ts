/** The privacy notice's address in each language (linked wherever personal data is first asked). */
export const privacyPaths = { fi: '/tietosuoja', sv: '/dataskydd', en: '/privacy' } as const;
