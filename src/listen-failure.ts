/**
 * One line saying why a server could not listen, and which variable picks another port, for the
 * failures a person fixes by choosing a port; undefined for anything else (thrown as it is).
 */
function listenFailureMessage(error: unknown, server: string, port: number, host: string, variable: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return `${server}: port ${port} on ${host} is already in use; stop what holds it or set ${variable} to another port (${variable}=${port + 1}).`;
  }
  if (code === 'EACCES') {
    return `${server}: no permission to listen on port ${port} on ${host}; set ${variable} to a port above 1023.`;
  }
  return undefined;
}

/** A listen failure a person fixes by choosing a port: said in one line, and the process exits 1; anything else is thrown as it is. */
export function exitOnListenFailure(error: unknown, server: string, port: number, host: string, variable: string): never {
  const line = listenFailureMessage(error, server, port, host, variable);
  if (line === undefined) throw error;
  console.error(line);
  process.exit(1);
}
