"""Every change of gatherings' state: wartime, applications, approvals, attendees to
contacts, tourist sites, bookings and entries."""
