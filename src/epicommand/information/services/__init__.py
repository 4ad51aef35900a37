"""Every change of the information app's state: bulletins, rumours, articles."""
