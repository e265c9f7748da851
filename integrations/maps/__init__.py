"""Where an event is and how far we drive to it: geocoding and driving distance."""
