//! Addresses of the partner screens; ids may hold any character but commas
//! and quotes, so they are always encoded.

export const partnerPath = (id: string) => `/partners/${encodeURIComponent(id)}`;
export const editPartnerPath = (id: string) => `${partnerPath(id)}/edit`;
/** Not under /partners/ so that no partner id can collide with it. */
export const newPartnerPath = (parentId?: string) =>
  parentId ? `/new-partner?parent=${encodeURIComponent(parentId)}` : '/new-partner';
