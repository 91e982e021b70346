//! Addresses of the customer screens; ids are always encoded.

export const customersPath = () => '/customers';
export const customerPath = (id: string) => `/customers/${encodeURIComponent(id)}`;
