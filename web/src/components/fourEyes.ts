/** Actors are compared as the server compares them: whatever their case. */
export const sameActor = (a: string, b: string | null | undefined) =>
  b !== null && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Why `actor` may not review a request (the four-eyes rule the server enforces), or undefined when
 * they may: nobody approves their own request, nor one about a version they registered.
 */
export function fourEyesBlock(
  actor: string,
  request: { requestedBy: string; version: string },
  registeredBy: string | undefined,
): string | undefined {
  if (sameActor(actor, request.requestedBy))
    return 'You requested this, so another approver must review it (four-eyes rule).';
  if (sameActor(actor, registeredBy))
    return `You registered version ${request.version}, so another approver must review it (four-eyes rule).`;
  return undefined;
}
