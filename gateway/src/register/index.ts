/**
 * The gateway's one way in to the query register, which lives in its own workspace
 * (register/). Nothing but this re-export belongs here.
 */
export * from '@credit-gateway/register';
