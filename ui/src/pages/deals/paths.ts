//! Addresses of the deal screens; plan ids are always encoded. New plans
//! live outside /deals/ so that no plan id can collide with the address.

export const plansPath = () => '/deals';
export const planPath = (id: string) => `/deals/${encodeURIComponent(id)}`;
export const editPlanPath = (id: string) => `${planPath(id)}/edit`;
export const newPlanPath = () => '/new-plan';
