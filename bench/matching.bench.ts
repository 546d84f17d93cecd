export async function run(): Promise<void> { console.log("matching benchmark: see issue 3"); }
