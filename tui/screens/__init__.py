"""The screens: a base with header and footer, the main screens, and the account screens."""
