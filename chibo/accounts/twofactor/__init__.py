"""Two-factor sign-in (issue 11): a TOTP app on the phone (django-otp's otp_totp) with ten printed
recovery codes (otp_static).

- policy.py: who must have a second factor, whether this session has passed it, and how recently.
- services.py: enrolment, confirmation, the sign-in check, the staff reset (atomic, audited).
- middleware.py: a signed-in user who must enrol, or who has a second factor not yet checked in
  this session, reaches no other page (API: the session counts as absent; tokens unaffected).
- views.py, forms.py, urls.py: the pages.
"""
