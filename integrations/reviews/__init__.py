"""Customer reviews of the business and our replies to them (Google Business Profile)."""
