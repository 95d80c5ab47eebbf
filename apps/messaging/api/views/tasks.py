"""The caller's rewarded tasks (Bursar additions): the list, accept, decline and the proof."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.messaging.api.serializers import tasks as serializers
from apps.messaging.api.serializers.fields import EmptySerializer
from apps.messaging.api.views.common import SEND_THROTTLED, TASKS_TAG, api_field_names, parse, path_id
from apps.messaging.selectors import tasks as task_selectors
from apps.messaging.services import tasks as task_services

PATH_TASK_ID = path_id("task_id", "The task's id (`id` in `tasks/`).")
TASK_NOT_FOUND = error_response("No such task, or not one of the caller's.", "not_found")


def task_data(request, assignment_id: int) -> dict:
    assignment = task_selectors.assignment_get_for_user(assignment_id=assignment_id, user=request.user)
    return serializers.TaskSerializer(assignment, context={"user": request.user}).data


class TaskListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.TaskSerializer

    @extend_schema(
        tags=[TASKS_TAG],
        summary="The caller's tasks, newest first",
        responses={200: serializers.TaskSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return task_selectors.assignment_list_for_user(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}


class TaskAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TASKS_TAG],
        summary="Accept an offered task",
        parameters=[PATH_TASK_ID],
        request=None,
        responses={
            200: serializers.TaskSerializer,
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            404: TASK_NOT_FOUND,
            409: error_response(
                "Already accepted or declined, or the task has expired.", "already_answered", "task_expired"
            ),
        },
    )
    def post(self, request, task_id: int):
        parse(EmptySerializer, request)
        task_services.assignment_accept(assignment_id=task_id, user=request.user)
        return Response(task_data(request, task_id))


class TaskDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TASKS_TAG],
        summary="Decline a task (before a proof is submitted)",
        parameters=[PATH_TASK_ID],
        request=None,
        responses={
            200: serializers.TaskSerializer,
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            404: TASK_NOT_FOUND,
            409: error_response("A proof was already submitted, or the task was declined.", "already_answered"),
        },
    )
    def post(self, request, task_id: int):
        parse(EmptySerializer, request)
        task_services.assignment_decline(assignment_id=task_id, user=request.user)
        return Response(task_data(request, task_id))


class TaskSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TASKS_TAG],
        summary="Submit the proof link (again after a rejection) before the task expires",
        description="An offered task is accepted by it. Counts towards the hourly send limit.",
        parameters=[PATH_TASK_ID],
        request=serializers.TaskSubmitSerializer,
        responses={
            200: serializers.TaskSerializer,
            400: bad_request(("link_required", "link"), ("invalid_link", "link")),
            401: NOT_AUTHENTICATED,
            404: TASK_NOT_FOUND,
            409: error_response(
                "The task was declined, has expired, or its proof waits for review or was approved.",
                "task_declined",
                "task_expired",
                "proof_pending",
                "already_approved",
            ),
            429: SEND_THROTTLED,
        },
    )
    def post(self, request, task_id: int):
        data = parse(serializers.TaskSubmitSerializer, request)
        with api_field_names({"submitted_link": "link"}):
            task_services.assignment_proof_submit(assignment_id=task_id, user=request.user, link=data.get("link"))
        return Response(task_data(request, task_id))
