from django.core.management.base import BaseCommand

from wpl.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo institutions, people and data (idempotent)."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo logins (password: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.role:<18} {', '.join(login.institutions)}")
