/**
 * The name patterns the admin API's schemas check, apart from the schemas: the services use them too, and importing
 * them from here does not load the validation library with the schemas.
 */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]*$/;
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]*$/;
