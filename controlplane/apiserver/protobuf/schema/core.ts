/**
 * core/v1 messages (k8s.io/api/core/v1): the PodSpec tree and the core kinds.
 * Field syntax: see ../schema.ts. Numbers, Go pointer-ness and omitempty come from upstream's struct tags.
 * Volume sources: the common in-tree kinds plus csi/ephemeral/projected/image; the retired cloud drivers
 * (gcePersistentDisk, awsElasticBlockStore, cinder, …) are left out on purpose.
 */
import type { PackageSchema } from '../schema.js';

export const core: PackageSchema = {
  name: 'core',
  messages: {
    // ---- volumes -------------------------------------------------------------------------------
    Volume: 'name=1:s! volumeSource=2:VolumeSource^',
    VolumeSource: `hostPath=1:HostPathVolumeSource? emptyDir=2:EmptyDirVolumeSource? secret=6:SecretVolumeSource?
      nfs=7:NFSVolumeSource? iscsi=8:ISCSIVolumeSource? persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource?
      downwardAPI=16:DownwardAPIVolumeSource? fc=17:FCVolumeSource? configMap=19:ConfigMapVolumeSource?
      projected=26:ProjectedVolumeSource? csi=28:CSIVolumeSource? ephemeral=29:EphemeralVolumeSource?
      image=30:ImageVolumeSource?`,
    PersistentVolumeClaimVolumeSource: 'claimName=1:s! readOnly=2:b',
    HostPathVolumeSource: 'path=1:s! type=2:s?',
    EmptyDirVolumeSource: 'medium=1:s sizeLimit=2:Quantity?',
    SecretVolumeSource: 'secretName=1:s items=2:[KeyToPath] defaultMode=3:i32? optional=4:b?',
    NFSVolumeSource: 'server=1:s! path=2:s! readOnly=3:b',
    ISCSIVolumeSource: `targetPortal=1:s! iqn=2:s! lun=3:i32! iscsiInterface=4:s fsType=5:s readOnly=6:b portals=7:[s]
      chapAuthDiscovery=8:b secretRef=10:LocalObjectReference? chapAuthSession=11:b initiatorName=12:s?`,
    FCVolumeSource: 'targetWWNs=1:[s] lun=2:i32? fsType=3:s readOnly=4:b wwids=5:[s]',
    ConfigMapVolumeSource: 'localObjectReference=1:LocalObjectReference^ items=2:[KeyToPath] defaultMode=3:i32? optional=4:b?',
    ConfigMapProjection: 'localObjectReference=1:LocalObjectReference^ items=2:[KeyToPath] optional=4:b?',
    SecretProjection: 'localObjectReference=1:LocalObjectReference^ items=2:[KeyToPath] optional=4:b?',
    ServiceAccountTokenProjection: 'audience=1:s expirationSeconds=2:i64? path=3:s!',
    ClusterTrustBundleProjection: 'name=1:s? signerName=2:s? labelSelector=3:LabelSelector? path=4:s! optional=5:b?',
    ProjectedVolumeSource: 'sources=1:[VolumeProjection]! defaultMode=2:i32?',
    VolumeProjection: `secret=1:SecretProjection? downwardAPI=2:DownwardAPIProjection? configMap=3:ConfigMapProjection?
      serviceAccountToken=4:ServiceAccountTokenProjection? clusterTrustBundle=5:ClusterTrustBundleProjection?`,
    KeyToPath: 'key=1:s! path=2:s! mode=3:i32?',
    CSIVolumeSource: 'driver=1:s! readOnly=2:b? fsType=3:s? volumeAttributes=4:{s} nodePublishSecretRef=5:LocalObjectReference?',
    EphemeralVolumeSource: 'volumeClaimTemplate=1:PersistentVolumeClaimTemplate?',
    PersistentVolumeClaimTemplate: 'metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec',
    PersistentVolumeClaimSpec: `accessModes=1:[s] resources=2:VolumeResourceRequirements volumeName=3:s selector=4:LabelSelector?
      storageClassName=5:s? volumeMode=6:s? dataSource=7:TypedLocalObjectReference? dataSourceRef=8:TypedObjectReference?
      volumeAttributesClassName=9:s?`,
    PersistentVolumeClaim: 'metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec status=3:PersistentVolumeClaimStatus',
    PersistentVolumeClaimStatus: `phase=1:s accessModes=2:[s] capacity=3:{Quantity} conditions=4:[PersistentVolumeClaimCondition]
      allocatedResources=5:{Quantity} allocatedResourceStatuses=7:{s} currentVolumeAttributesClassName=8:s?
      modifyVolumeStatus=9:ModifyVolumeStatus?`,
    PersistentVolumeClaimCondition: 'type=1:s! status=2:s! lastProbeTime=3:Time lastTransitionTime=4:Time reason=5:s message=6:s',
    ModifyVolumeStatus: 'targetVolumeAttributesClassName=1:s status=2:s!',
    TypedObjectReference: 'apiGroup=1:s?! kind=2:s! name=3:s! namespace=4:s?',
    VolumeResourceRequirements: 'limits=1:{Quantity} requests=2:{Quantity}',
    SecretReference: 'name=1:s namespace=2:s',

    // ---- containers ----------------------------------------------------------------------------
    ContainerPort: 'name=1:s hostPort=2:i32 containerPort=3:i32! protocol=4:s hostIP=5:s',
    VolumeMount: 'name=1:s! readOnly=2:b mountPath=3:s! subPath=4:s mountPropagation=5:s? subPathExpr=6:s recursiveReadOnly=7:s?',
    VolumeDevice: 'name=1:s! devicePath=2:s!',
    EnvVar: 'name=1:s! value=2:s valueFrom=3:EnvVarSource?',
    EnvVarSource: `fieldRef=1:ObjectFieldSelector? resourceFieldRef=2:ResourceFieldSelector?
      configMapKeyRef=3:ConfigMapKeySelector? secretKeyRef=4:SecretKeySelector?`,
    ObjectFieldSelector: 'apiVersion=1:s fieldPath=2:s!',
    ResourceFieldSelector: 'containerName=1:s resource=2:s! divisor=3:Quantity',
    ConfigMapKeySelector: 'localObjectReference=1:LocalObjectReference^ key=2:s! optional=3:b?',
    SecretKeySelector: 'localObjectReference=1:LocalObjectReference^ key=2:s! optional=3:b?',
    EnvFromSource: 'prefix=1:s configMapRef=2:ConfigMapEnvSource? secretRef=3:SecretEnvSource?',
    ConfigMapEnvSource: 'localObjectReference=1:LocalObjectReference^ optional=2:b?',
    SecretEnvSource: 'localObjectReference=1:LocalObjectReference^ optional=2:b?',
    HTTPHeader: 'name=1:s! value=2:s!',
    HTTPGetAction: 'path=1:s port=2:IntOrString host=3:s scheme=4:s httpHeaders=5:[HTTPHeader]',
    TCPSocketAction: 'port=1:IntOrString host=2:s',
    GRPCAction: 'port=1:i32! service=2:s?!',
    ExecAction: 'command=1:[s]',
    SleepAction: 'seconds=1:i64!',
    Probe: `handler=1:ProbeHandler^ initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32
      successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64?`,
    ContainerResizePolicy: 'resourceName=1:s! restartPolicy=2:s!',
    Capabilities: 'add=1:[s] drop=2:[s]',
    ResourceRequirements: 'limits=1:{Quantity} requests=2:{Quantity} claims=3:[ResourceClaim]',
    ResourceClaim: 'name=1:s! request=2:s',
    Container: `name=1:s! image=2:s command=3:[s] args=4:[s] workingDir=5:s ports=6:[ContainerPort] env=7:[EnvVar]
      resources=8:ResourceRequirements volumeMounts=9:[VolumeMount] livenessProbe=10:Probe? readinessProbe=11:Probe?
      lifecycle=12:Lifecycle? terminationMessagePath=13:s imagePullPolicy=14:s securityContext=15:SecurityContext?
      stdin=16:b stdinOnce=17:b tty=18:b envFrom=19:[EnvFromSource] terminationMessagePolicy=20:s
      volumeDevices=21:[VolumeDevice] startupProbe=22:Probe? resizePolicy=23:[ContainerResizePolicy] restartPolicy=24:s?
      restartPolicyRules=25:[ContainerRestartRule]`,
    ContainerRestartRule: 'action=1:s! exitCodes=2:ContainerRestartRuleOnExitCodes?',
    ContainerRestartRuleOnExitCodes: 'operator=1:s! values=2:[i32]',
    ProbeHandler: 'exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? grpc=4:GRPCAction?',
    LifecycleHandler: 'exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? sleep=4:SleepAction?',
    Lifecycle: 'postStart=1:LifecycleHandler? preStop=2:LifecycleHandler? stopSignal=3:s?',
    ContainerStateWaiting: 'reason=1:s message=2:s',
    ContainerStateRunning: 'startedAt=1:Time',
    ContainerStateTerminated: 'exitCode=1:i32! signal=2:i32 reason=3:s message=4:s startedAt=5:Time finishedAt=6:Time containerID=7:s',
    ContainerState: 'waiting=1:ContainerStateWaiting? running=2:ContainerStateRunning? terminated=3:ContainerStateTerminated?',
    ContainerStatus: `name=1:s! state=2:ContainerState lastState=3:ContainerState ready=4:b! restartCount=5:i32! image=6:s!
      imageID=7:s! containerID=8:s started=9:b? allocatedResources=10:{Quantity} resources=11:ResourceRequirements?
      volumeMounts=12:[VolumeMountStatus] user=13:ContainerUser? allocatedResourcesStatus=14:[ResourceStatus] stopSignal=15:s?`,
    VolumeMountStatus: 'name=1:s! mountPath=2:s! readOnly=3:b recursiveReadOnly=4:s?',
    ContainerUser: 'linux=1:LinuxContainerUser?',
    LinuxContainerUser: 'uid=1:i64! gid=2:i64! supplementalGroups=3:[i64]',
    ResourceStatus: 'name=1:s! resources=2:[ResourceHealth]',
    ResourceHealth: 'resourceID=1:s! health=2:s',

    // ---- pods ----------------------------------------------------------------------------------
    // 1.31 replaced the ClaimSource message (field 2) with the two fields it held.
    PodResourceClaim: 'name=1:s! resourceClaimName=3:s? resourceClaimTemplateName=4:s?',
    PodResourceClaimStatus: 'name=1:s! resourceClaimName=2:s?',
    PodOS: 'name=1:s!',
    PodSchedulingGate: 'name=1:s!',
    TopologySpreadConstraint: `maxSkew=1:i32! topologyKey=2:s! whenUnsatisfiable=3:s! labelSelector=4:LabelSelector?
      minDomains=5:i32? nodeAffinityPolicy=6:s? nodeTaintsPolicy=7:s? matchLabelKeys=8:[s]`,
    HostAlias: 'ip=1:s hostnames=2:[s]',
    PodSecurityContext: `seLinuxOptions=1:SELinuxOptions? runAsUser=2:i64? runAsNonRoot=3:b? supplementalGroups=4:[i64]
      fsGroup=5:i64? runAsGroup=6:i64? sysctls=7:[Sysctl] windowsOptions=8:WindowsSecurityContextOptions?
      fsGroupChangePolicy=9:s? seccompProfile=10:SeccompProfile? appArmorProfile=11:AppArmorProfile?
      supplementalGroupsPolicy=12:s? seLinuxChangePolicy=13:s?`,
    SeccompProfile: 'type=1:s! localhostProfile=2:s?',
    PodDNSConfig: 'nameservers=1:[s] searches=2:[s] options=3:[PodDNSConfigOption]',
    PodDNSConfigOption: 'name=1:s value=2:s?',
    PodIP: 'ip=1:s',
    HostIP: 'ip=1:s',
    // EphemeralContainerCommon has Container's fields and numbers; it is inlined in JSON.
    EphemeralContainer: 'ephemeralContainerCommon=1:Container^ targetContainerName=2:s',
    PodCondition: `type=1:s! status=2:s! lastProbeTime=3:Time lastTransitionTime=4:Time reason=5:s message=6:s
      observedGeneration=7:i64`,
    PodSpec: `volumes=1:[Volume] containers=2:[Container]! restartPolicy=3:s terminationGracePeriodSeconds=4:i64?
      activeDeadlineSeconds=5:i64? dnsPolicy=6:s nodeSelector=7:{s} serviceAccountName=8:s serviceAccount=9:s
      nodeName=10:s hostNetwork=11:b hostPID=12:b hostIPC=13:b securityContext=14:PodSecurityContext?
      imagePullSecrets=15:[LocalObjectReference] hostname=16:s subdomain=17:s affinity=18:Affinity? schedulerName=19:s
      initContainers=20:[Container] automountServiceAccountToken=21:b? tolerations=22:[Toleration]
      hostAliases=23:[HostAlias] priorityClassName=24:s priority=25:i32? dnsConfig=26:PodDNSConfig?
      shareProcessNamespace=27:b? readinessGates=28:[PodReadinessGate] runtimeClassName=29:s? enableServiceLinks=30:b?
      preemptionPolicy=31:s? overhead=32:{Quantity} topologySpreadConstraints=33:[TopologySpreadConstraint]
      ephemeralContainers=34:[EphemeralContainer] setHostnameAsFQDN=35:b? os=36:PodOS? hostUsers=37:b?
      schedulingGates=38:[PodSchedulingGate] resourceClaims=39:[PodResourceClaim] resources=40:ResourceRequirements? hostnameOverride=41:s?`,
    PodStatus: `phase=1:s conditions=2:[PodCondition] message=3:s reason=4:s hostIP=5:s podIP=6:s startTime=7:Time?
      containerStatuses=8:[ContainerStatus] qosClass=9:s initContainerStatuses=10:[ContainerStatus]
      nominatedNodeName=11:s podIPs=12:[PodIP] ephemeralContainerStatuses=13:[ContainerStatus] resize=14:s
      resourceClaimStatuses=15:[PodResourceClaimStatus] hostIPs=16:[HostIP] observedGeneration=17:i64`,
    Pod: 'metadata=1:ObjectMeta spec=2:PodSpec status=3:PodStatus',
    PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
    PodTemplate: 'metadata=1:ObjectMeta template=2:PodTemplateSpec',
    ReplicationControllerSpec: 'replicas=1:i32? selector=2:{s} template=3:PodTemplateSpec? minReadySeconds=4:i32',
    ReplicationControllerStatus: `replicas=1:i32! fullyLabeledReplicas=2:i32 observedGeneration=3:i64 readyReplicas=4:i32
      availableReplicas=5:i32 conditions=6:[ReplicationControllerCondition]`,
    ReplicationControllerCondition: 'type=1:s! status=2:s! lastTransitionTime=3:Time reason=4:s message=5:s',
    ReplicationController: 'metadata=1:ObjectMeta spec=2:ReplicationControllerSpec status=3:ReplicationControllerStatus',

    // ---- services ------------------------------------------------------------------------------
    SessionAffinityConfig: 'clientIP=1:ClientIPConfig?',
    ClientIPConfig: 'timeoutSeconds=1:i32?',
    ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:[Condition]',
    LoadBalancerStatus: 'ingress=1:[LoadBalancerIngress]',
    LoadBalancerIngress: 'ip=1:s hostname=2:s ipMode=3:s? ports=4:[PortStatus]',
    ServiceSpec: `ports=1:[ServicePort] selector=2:{s} clusterIP=3:s type=4:s externalIPs=5:[s] sessionAffinity=7:s
      loadBalancerIP=8:s loadBalancerSourceRanges=9:[s] externalName=10:s externalTrafficPolicy=11:s
      healthCheckNodePort=12:i32 publishNotReadyAddresses=13:b sessionAffinityConfig=14:SessionAffinityConfig?
      ipFamilyPolicy=17:s? clusterIPs=18:[s] ipFamilies=19:[s] allocateLoadBalancerNodePorts=20:b?
      loadBalancerClass=21:s? internalTrafficPolicy=22:s? trafficDistribution=23:s?`,
    ServicePort: 'name=1:s protocol=2:s port=3:i32! targetPort=4:IntOrString nodePort=5:i32 appProtocol=6:s?',
    PortStatus: 'port=1:i32! protocol=2:s! error=3:s?',
    Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
    ServiceAccount: `metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference]
      automountServiceAccountToken=4:b?`,
    Endpoints: 'metadata=1:ObjectMeta subsets=2:[EndpointSubset]',
    EndpointSubset: 'addresses=1:[EndpointAddress] notReadyAddresses=2:[EndpointAddress] ports=3:[EndpointPort]',
    EndpointAddress: 'ip=1:s! targetRef=2:ObjectReference? hostname=3:s nodeName=4:s?',
    EndpointPort: 'name=1:s port=2:i32! protocol=3:s appProtocol=4:s?',

    // ---- nodes ---------------------------------------------------------------------------------
    NodeSpec: `podCIDR=1:s externalID=2:s providerID=3:s unschedulable=4:b taints=5:[Taint]
      configSource=6:NodeConfigSource? podCIDRs=7:[s]`,
    NodeConfigSource: 'configMap=2:ConfigMapNodeConfigSource?',
    ConfigMapNodeConfigSource: 'namespace=1:s! name=2:s! uid=3:s resourceVersion=4:s kubeletConfigKey=5:s!',
    // The JSON name really is capitalised: an old tag bug kept for compatibility.
    DaemonEndpoint: 'Port=1:i32!',
    NodeDaemonEndpoints: 'kubeletEndpoint=1:DaemonEndpoint',
    NodeSystemInfo: `machineID=1:s! systemUUID=2:s! bootID=3:s! kernelVersion=4:s! osImage=5:s!
      containerRuntimeVersion=6:s! kubeletVersion=7:s! kubeProxyVersion=8:s! operatingSystem=9:s! architecture=10:s!
      swap=11:NodeSwapStatus?`,
    NodeSwapStatus: 'capacity=1:i64?',
    NodeConfigStatus: 'assigned=1:NodeConfigSource? active=2:NodeConfigSource? lastKnownGood=3:NodeConfigSource? error=4:s',
    NodeStatus: `capacity=1:{Quantity} allocatable=2:{Quantity} phase=3:s conditions=4:[NodeCondition]
      addresses=5:[NodeAddress] daemonEndpoints=6:NodeDaemonEndpoints nodeInfo=7:NodeSystemInfo images=8:[ContainerImage]
      volumesInUse=9:[s] volumesAttached=10:[AttachedVolume] config=11:NodeConfigStatus?
      runtimeHandlers=12:[NodeRuntimeHandler] features=13:NodeFeatures?`,
    NodeRuntimeHandlerFeatures: 'recursiveReadOnlyMounts=1:b? userNamespaces=2:b?',
    NodeRuntimeHandler: 'name=1:s! features=2:NodeRuntimeHandlerFeatures?',
    NodeFeatures: 'supplementalGroupsPolicy=1:b?',
    AttachedVolume: 'name=1:s! devicePath=2:s!',
    ContainerImage: 'names=1:[s]! sizeBytes=2:i64',
    NodeCondition: `type=1:s! status=2:s! lastHeartbeatTime=3:Time lastTransitionTime=4:Time reason=5:s message=6:s`,
    NodeAddress: 'type=1:s! address=2:s!',
    Node: 'metadata=1:ObjectMeta spec=2:NodeSpec status=3:NodeStatus',

    // ---- namespaces, events, small kinds -------------------------------------------------------
    NamespaceSpec: 'finalizers=1:[s]',
    NamespaceStatus: 'phase=1:s conditions=2:[NamespaceCondition]',
    NamespaceCondition: 'type=1:s! status=2:s! lastTransitionTime=4:Time reason=5:s message=6:s',
    Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
    Binding: 'metadata=1:ObjectMeta target=2:ObjectReference',
    ObjectReference: 'kind=1:s namespace=2:s name=3:s uid=4:s apiVersion=5:s resourceVersion=6:s fieldPath=7:s',
    LocalObjectReference: 'name=1:s',
    TypedLocalObjectReference: 'apiGroup=1:s?! kind=2:s! name=3:s!',
    EventSource: 'component=1:s host=2:s',
    Event: `metadata=1:ObjectMeta involvedObject=2:ObjectReference reason=3:s message=4:s source=5:EventSource
      firstTimestamp=6:Time lastTimestamp=7:Time count=8:i32 type=9:s eventTime=10:MicroTime series=11:EventSeries?
      action=12:s related=13:ObjectReference? reportingComponent=14:s! reportingInstance=15:s!`,
    EventSeries: 'count=1:i32 lastObservedTime=2:MicroTime',
    LimitRangeItem: `type=1:s! max=2:{Quantity} min=3:{Quantity} default=4:{Quantity} defaultRequest=5:{Quantity}
      maxLimitRequestRatio=6:{Quantity}`,
    LimitRangeSpec: 'limits=1:[LimitRangeItem]!',
    LimitRange: 'metadata=1:ObjectMeta spec=2:LimitRangeSpec',
    ResourceQuotaSpec: 'hard=1:{Quantity} scopes=2:[s] scopeSelector=3:ScopeSelector?',
    ScopeSelector: 'matchExpressions=1:[ScopedResourceSelectorRequirement]',
    ScopedResourceSelectorRequirement: 'scopeName=1:s! operator=2:s! values=3:[s]',
    ResourceQuotaStatus: 'hard=1:{Quantity} used=2:{Quantity}',
    ResourceQuota: 'metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus',
    Secret: 'metadata=1:ObjectMeta data=2:{bytes} type=3:s stringData=4:{s} immutable=5:b?',
    ConfigMap: 'metadata=1:ObjectMeta data=2:{s} binaryData=3:{bytes} immutable=4:b?',
    DownwardAPIVolumeSource: 'items=1:[DownwardAPIVolumeFile] defaultMode=2:i32?',
    DownwardAPIVolumeFile: 'path=1:s! fieldRef=2:ObjectFieldSelector? resourceFieldRef=3:ResourceFieldSelector? mode=4:i32?',
    DownwardAPIProjection: 'items=1:[DownwardAPIVolumeFile]',
    SecurityContext: `capabilities=1:Capabilities? privileged=2:b? seLinuxOptions=3:SELinuxOptions? runAsUser=4:i64?
      runAsNonRoot=5:b? readOnlyRootFilesystem=6:b? allowPrivilegeEscalation=7:b? runAsGroup=8:i64? procMount=9:s?
      windowsOptions=10:WindowsSecurityContextOptions? seccompProfile=11:SeccompProfile? appArmorProfile=12:AppArmorProfile?`,
    AppArmorProfile: 'type=1:s! localhostProfile=2:s?',
    SELinuxOptions: 'user=1:s role=2:s type=3:s level=4:s',
    WindowsSecurityContextOptions: 'gmsaCredentialSpecName=1:s? gmsaCredentialSpec=2:s? runAsUserName=3:s? hostProcess=4:b?',
    Sysctl: 'name=1:s! value=2:s!',
    ImageVolumeSource: 'reference=1:s pullPolicy=2:s',

    // ---- scheduling ----------------------------------------------------------------------------
    NodeSelector: 'nodeSelectorTerms=1:[NodeSelectorTerm]!',
    NodeSelectorTerm: 'matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]',
    NodeSelectorRequirement: 'key=1:s! operator=2:s! values=3:[s]',
    Affinity: 'nodeAffinity=1:NodeAffinity? podAffinity=2:PodAffinity? podAntiAffinity=3:PodAntiAffinity?',
    PodAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm]
      preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]`,
    PodAntiAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm]
      preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]`,
    WeightedPodAffinityTerm: 'weight=1:i32! podAffinityTerm=2:PodAffinityTerm',
    PodAffinityTerm: `labelSelector=1:LabelSelector? namespaces=2:[s] topologyKey=3:s! namespaceSelector=4:LabelSelector?
      matchLabelKeys=5:[s] mismatchLabelKeys=6:[s]`,
    NodeAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector?
      preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]`,
    PreferredSchedulingTerm: 'weight=1:i32! preference=2:NodeSelectorTerm',
    Taint: 'key=1:s! value=2:s effect=3:s! timeAdded=4:Time?',
    Toleration: 'key=1:s operator=2:s value=3:s effect=4:s tolerationSeconds=5:i64?',
    PodReadinessGate: 'conditionType=1:s!',
  },
};
