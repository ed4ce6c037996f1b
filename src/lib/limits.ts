/** Limits shared by forms in the browser and validation on the server. */
export const passwordMinLength = 10;
