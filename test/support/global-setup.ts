/** Runs once before all test files. Filled in as shared fixtures are added. */
export default async function setup(): Promise<void> {}
