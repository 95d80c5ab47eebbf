from django.core.management.base import BaseCommand

from workers.schedule import schedule_sync


class Command(BaseCommand):
    help = "Write the periodic jobs declared in workers/schedule.py into django-celery-beat."

    def handle(self, *args, **options):
        for name in schedule_sync():
            self.stdout.write(f"scheduled {name}")
