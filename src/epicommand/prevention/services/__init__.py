"""Every change of state of routine prevention: units and their schedule (units), the phone
inspection and the rectification it opens or closes (inspections), escalation of overdue
rectifications (rectifications), disinfection records and terminal disinfection tasks
(disinfection)."""
