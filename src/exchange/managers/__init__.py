"""The public-benefit managers' (公益经理人) own work: consultations, pre-studies and needs
justifications, and what each manager achieved over a period."""
